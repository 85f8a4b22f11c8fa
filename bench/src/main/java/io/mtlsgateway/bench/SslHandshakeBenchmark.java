package io.mtlsgateway.bench;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.pki.KeyType;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Full mutual-TLS handshakes between a client and a server {@link SSLEngine}, in memory, no sockets.
 *
 * <p>One operation is one full handshake: create both engines from the Netty contexts, pump records between
 * {@code wrap}/{@code unwrap} (running delegated tasks) until both engines report {@code FINISHED}, release
 * the engines. Both sides run on the benchmark thread, so an operation costs client <em>and</em> server CPU.
 * The {@link HandshakeCpuTime} counters add the benchmark thread's CPU time, in total and inside the server
 * engine only (which is what the gateway pays): on a shared machine CPU time per handshake is far steadier than
 * wall time.
 *
 * <p>Trust is checked by the JDK default trust managers built by {@code SslContextBuilder.trustManager(ca)}
 * and every handshake presents the same client certificate, so the JDK's certificate caches stay warm: an
 * upper bound for the gateway, whose verifier sees many distinct clients.
 *
 * <p>Not final: JMH generates a subclass of it.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class SslHandshakeBenchmark {
    /** The engine implementation; client and server always use the same one. */
    public enum Provider {
        JDK(SslProvider.JDK),
        /** BoringSSL through netty-tcnative, the reference-counted flavour the gateway uses. */
        OPENSSL(SslProvider.OPENSSL_REFCNT);

        final SslProvider netty;

        Provider(SslProvider netty) {
            this.netty = netty;
        }
    }

    @Param({"JDK", "OPENSSL"})
    public Provider provider;

    /** Key type of the CA, the server and the client alike, so each case is all-ECDSA or all-RSA. */
    @Param({"ecp256", "rsa2048"})
    public String key;

    @Param({"TLSv1.3", "TLSv1.2"})
    public String protocol;

    private SslContext serverContext;
    private SslContext clientContext;
    private ServerVerificationCounter clientTrust;
    private InMemoryHandshake pump;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        InMemoryHandshake.requireThreadCpuTime();
        if (provider == Provider.OPENSSL && !OpenSsl.isAvailable()) {
            throw new IllegalStateException("netty-tcnative is not usable here", OpenSsl.unavailabilityCause());
        }
        KeyType keyType = keyType(key);
        IssuedCertificate ca = new CertificateBuilder().subject("CN=bench CA").keyType(keyType).ca(-1).selfSigned();
        IssuedCertificate server = new CertificateBuilder().subject("CN=server").keyType(keyType)
                .forServer().dns("localhost").signedBy(ca);
        IssuedCertificate client = new CertificateBuilder().subject("CN=client").keyType(keyType)
                .forClient().signedBy(ca);

        serverContext = SslContextBuilder.forServer(server.privateKey(), chain(server))
                .sslProvider(provider.netty)
                .clientAuth(ClientAuth.REQUIRE)
                .trustManager(ca.certificate())
                .protocols(protocol)
                .build();
        clientTrust = ServerVerificationCounter.trusting(ca.certificate());
        clientContext = SslContextBuilder.forClient()
                .sslProvider(provider.netty)
                .keyManager(client.privateKey(), chain(client))
                .trustManager(clientTrust)
                .protocols(protocol)
                .build();

        // Mirror SslHandler: it hands direct buffers to the OpenSSL engine and heap buffers to the JDK one.
        pump = new InMemoryHandshake(provider == Provider.OPENSSL);

        checkOneHandshake(server.certificate(), client.certificate());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        // OPENSSL_REFCNT contexts own native SSL_CTXs; JDK contexts are not reference counted (release is a no-op).
        ReferenceCountUtil.release(serverContext);
        ReferenceCountUtil.release(clientContext);
    }

    /** Handshakes per second. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int handshakeThroughput(HandshakeCpuTime time) throws SSLException {
        return handshake(time);
    }

    /** Microseconds per handshake. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int handshakeTime(HandshakeCpuTime time) throws SSLException {
        return handshake(time);
    }

    private int handshake(HandshakeCpuTime time) throws SSLException {
        long cpuStart = InMemoryHandshake.threadCpuNanos();
        long checksBefore = clientTrust.serverChecks();
        // Engines are created inside the measured operation: the gateway creates one per connection too.
        SSLEngine client = clientContext.newEngine(ByteBufAllocator.DEFAULT, "localhost", 443);
        SSLEngine server = serverContext.newEngine(ByteBufAllocator.DEFAULT);
        try {
            int bytes = pump.run(client, server, time);
            if (clientTrust.serverChecks() != checksBefore + 1) {
                throw new IllegalStateException("the handshake was resumed, not full; the benchmark is invalid");
            }
            // The client caches TLS 1.2 sessions by host and port; forgetting it keeps the next handshake full.
            client.getSession().invalidate();
            time.handshakes++;
            return bytes;
        } finally {
            // ReferenceCountedOpenSslEngine frees its native SSL only when released.
            ReferenceCountUtil.release(client);
            ReferenceCountUtil.release(server);
            time.cpuNanos += InMemoryHandshake.threadCpuNanos() - cpuStart;
        }
    }

    /** One handshake outside the measurement proving the setup is what the parameters claim. */
    private void checkOneHandshake(X509Certificate serverCert, X509Certificate clientCert) throws SSLException {
        SSLEngine client = clientContext.newEngine(ByteBufAllocator.DEFAULT, "localhost", 443);
        SSLEngine server = serverContext.newEngine(ByteBufAllocator.DEFAULT);
        try {
            pump.run(client, server, new HandshakeCpuTime());
            SSLSession serverSession = server.getSession();
            SSLSession clientSession = client.getSession();
            Certificate[] clientChain = serverSession.getPeerCertificates();
            Certificate[] serverChain = clientSession.getPeerCertificates();
            if (!protocol.equals(serverSession.getProtocol()) || !protocol.equals(clientSession.getProtocol())) {
                throw new IllegalStateException("negotiated " + serverSession.getProtocol() + ", expected " + protocol);
            }
            if (!clientChain[0].equals(clientCert) || !serverChain[0].equals(serverCert)) {
                throw new IllegalStateException("peers did not authenticate with the generated certificates");
            }
            client.getSession().invalidate();
            // Printed once per fork so the log shows what was negotiated.
            System.out.println("# " + provider + " " + key + ": " + serverSession.getProtocol() + " "
                    + serverSession.getCipherSuite() + ", client chain of " + clientChain.length);
        } finally {
            ReferenceCountUtil.release(client);
            ReferenceCountUtil.release(server);
        }
    }

    static KeyType keyType(String name) {
        return switch (name) {
            case "ecp256" -> KeyType.EC_P256;
            case "rsa2048" -> KeyType.RSA_2048;
            default -> throw new IllegalArgumentException("key: " + name + " (expected: ecp256 or rsa2048)");
        };
    }

    private static X509Certificate[] chain(IssuedCertificate certificate) {
        return certificate.chainWithoutRoot().toArray(X509Certificate[]::new);
    }
}
