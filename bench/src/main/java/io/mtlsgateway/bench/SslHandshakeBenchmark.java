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
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * The {@link CpuTime} counters add the benchmark thread's CPU time, in total and inside the server engine only
 * (which is what the gateway pays): on a shared machine CPU time per handshake is far steadier than wall time.
 *
 * <p>Trust is checked by the JDK default trust managers built by {@code SslContextBuilder.trustManager(ca)}
 * and every handshake presents the same client certificate, so the JDK's certificate caches stay warm: an
 * upper bound for the gateway, whose verifier sees many distinct clients.
 *
 * <p>Not final, nor are its nested states: JMH generates subclasses of them.
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

    // A handshake flight can hold several records and wrap() insists on a whole packet of free space,
    // so each direction gets room for many packets; the buffers are reused across handshakes.
    private static final int NETWORK_BUFFER_BYTES = 256 * 1024;
    private static final int APPLICATION_BUFFER_BYTES = 64 * 1024;
    // A TLS 1.2 or 1.3 handshake needs 2-3 round trips; anything far beyond that is a stuck state machine.
    private static final int MAX_ROUNDS = 32;
    private static final int MAX_STEPS_PER_TURN = 64;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

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
    private ByteBuffer clientToServer;
    private ByteBuffer serverToClient;
    private ByteBuffer applicationData;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /**
     * CPU time of the benchmark thread, summed over the measured iterations; divide by {@link #handshakes}.
     * Each reading is a system call (well under a microsecond), small next to a handshake.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuTime {
        /** CPU nanoseconds of whole handshakes (both engines, engine creation and release). */
        public long cpuNanos;
        /** CPU nanoseconds inside server {@code beginHandshake}/{@code wrap}/{@code unwrap} and its delegated tasks. */
        public long serverCpuNanos;
        /** Handshakes completed. */
        public long handshakes;

        @Setup(Level.Iteration)
        public void reset() {
            cpuNanos = 0;
            serverCpuNanos = 0;
            handshakes = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        if (!THREADS.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure thread CPU time");
        }
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
        boolean direct = provider == Provider.OPENSSL;
        clientToServer = allocate(NETWORK_BUFFER_BYTES, direct);
        serverToClient = allocate(NETWORK_BUFFER_BYTES, direct);
        applicationData = allocate(APPLICATION_BUFFER_BYTES, direct);

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
    public int handshakeThroughput(CpuTime time) throws SSLException {
        return handshake(time);
    }

    /** Microseconds per handshake. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int handshakeTime(CpuTime time) throws SSLException {
        return handshake(time);
    }

    private int handshake(CpuTime time) throws SSLException {
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long checksBefore = clientTrust.serverChecks();
        // Engines are created inside the measured operation: the gateway creates one per connection too.
        SSLEngine client = clientContext.newEngine(ByteBufAllocator.DEFAULT, "localhost", 443);
        SSLEngine server = serverContext.newEngine(ByteBufAllocator.DEFAULT);
        try {
            int bytes = pump(client, server, time);
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
            time.cpuNanos += THREADS.getCurrentThreadCpuTime() - cpuStart;
        }
    }

    /** Runs the handshake to completion and returns the bytes exchanged; throws if it cannot complete. */
    private int pump(SSLEngine client, SSLEngine server, CpuTime time) throws SSLException {
        clientToServer.clear();
        serverToClient.clear();
        client.beginHandshake();
        long start = THREADS.getCurrentThreadCpuTime();
        server.beginHandshake();
        time.serverCpuNanos += THREADS.getCurrentThreadCpuTime() - start;

        boolean clientFinished = false;
        boolean serverFinished = false;
        int bytes = 0;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            bytes -= clientToServer.position();
            clientFinished |= takeTurn(client, serverToClient, clientToServer);
            bytes += clientToServer.position();

            bytes -= serverToClient.position();
            start = THREADS.getCurrentThreadCpuTime();
            serverFinished |= takeTurn(server, clientToServer, serverToClient);
            time.serverCpuNanos += THREADS.getCurrentThreadCpuTime() - start;
            bytes += serverToClient.position();

            if (clientFinished && serverFinished && isEstablished(client) && isEstablished(server)) {
                return bytes;
            }
        }
        throw new IllegalStateException("handshake did not complete in " + MAX_ROUNDS + " rounds: client "
                + client.getHandshakeStatus() + " finished=" + clientFinished + ", server "
                + server.getHandshakeStatus() + " finished=" + serverFinished);
    }

    private static boolean isEstablished(SSLEngine engine) {
        // A failed engine also stops handshaking, but it has closed at least one direction.
        return engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
                && !engine.isInboundDone() && !engine.isOutboundDone();
    }

    /**
     * Lets one engine work until it waits for its peer. {@code in} and {@code out} are in write mode.
     *
     * @return whether it finished its handshake
     */
    private boolean takeTurn(SSLEngine engine, ByteBuffer in, ByteBuffer out) throws SSLException {
        boolean finished = false;
        // Whether the engine may have buffered work that only an unwrap call (even an empty one) advances.
        boolean mayAdvance = false;
        for (int step = 0; step < MAX_STEPS_PER_TURN; step++) {
            SSLEngineResult result;
            switch (engine.getHandshakeStatus()) {
                case NEED_TASK -> {
                    for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                        task.run();
                    }
                    mayAdvance = true;
                    continue;
                }
                case NEED_WRAP -> result = engine.wrap(EMPTY, out);
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    // The OpenSSL engine resumes its state machine only inside unwrap: after delegated tasks, and
                    // (TLS 1.2 client) after the record carrying the server's Finished was consumed. So it is
                    // called once more without new input before concluding that it waits for its peer.
                    if (in.position() == 0 && !mayAdvance) {
                        return finished;
                    }
                    in.flip();
                    try {
                        result = engine.unwrap(in, applicationData);
                    } finally {
                        in.compact();
                        applicationData.clear();
                    }
                    if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
                            || result.bytesConsumed() == 0 && result.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
                        return finished; // no whole record left; the peer has not written the rest yet
                    }
                    mayAdvance = result.bytesConsumed() > 0;
                }
                default -> {
                    // NOT_HANDSHAKING after beginHandshake means done. Only a wrap/unwrap result can say FINISHED,
                    // and the OpenSSL engine may complete inside a delegated task, so this is the other signal.
                    return true;
                }
            }
            if (result.getStatus() != SSLEngineResult.Status.OK) {
                throw new IllegalStateException("unexpected " + result + " from " + engine.getClass().getSimpleName());
            }
            finished |= result.getHandshakeStatus() == HandshakeStatus.FINISHED;
        }
        throw new IllegalStateException("engine made no handshake progress in " + MAX_STEPS_PER_TURN + " steps");
    }

    /** One handshake outside the measurement proving the setup is what the parameters claim. */
    private void checkOneHandshake(X509Certificate serverCert, X509Certificate clientCert) throws SSLException {
        SSLEngine client = clientContext.newEngine(ByteBufAllocator.DEFAULT, "localhost", 443);
        SSLEngine server = serverContext.newEngine(ByteBufAllocator.DEFAULT);
        try {
            pump(client, server, new CpuTime());
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

    private static ByteBuffer allocate(int bytes, boolean direct) {
        return direct ? ByteBuffer.allocateDirect(bytes) : ByteBuffer.allocate(bytes);
    }
}
