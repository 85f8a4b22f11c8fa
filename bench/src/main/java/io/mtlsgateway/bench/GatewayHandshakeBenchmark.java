package io.mtlsgateway.bench;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.server.ListenerTls;
import io.mtlsgateway.gateway.verify.HandshakeVerdicts;
import io.mtlsgateway.gateway.verify.Verdict;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
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
 * Full mutual-TLS handshakes, in memory, against the server side the gateway itself builds, made by the
 * gateway's one listener factory {@link ListenerTls#build} (BoringSSL, {@code USE_TASKS}, the gateway's cipher
 * list, its verifier trusting a test root). All keys are ECDSA P-256;
 * each client sends its leaf and the shared intermediate, as in {@link VerifierBenchmark}.
 *
 * <p>{@code clients = 1}: every handshake presents the same chain, so after the first the verifier answers
 * from its verdict cache (hash of the chain, validity window, revocation). {@code clients = 1000}: the
 * handshakes cycle through 1,000 distinct client certificates generated in setup, and every one is a verdict
 * cache miss — see {@link #VERDICT_CACHE_ENTRIES}: after the first, each takes the verifier's fast path for a chain
 * of a known shape (the leaf's own DER read, its signature checked natively, the identity), as all share one intermediate.
 * {@code clients = alternating}: the two interleaved, one repeat client's handshake, then a new client's, in the
 * same JVM and iteration; {@link RepeatAndNewCpuTime} keeps their server CPU apart. Comparing the separate
 * {@code 1} and {@code 1000} runs on a shared machine also compares two moments of its load and two states of the
 * JIT (on this 2-core machine the compiler threads were still a third of the JVM's CPU after 16 s of warm-up, and a
 * miss runs far more Java code than a hit); the interleaved ratio is not exposed to either.
 *
 * <p>Before the first warm-up iteration, setup runs {@link #primeHandshakes} handshakes of the case's own kind
 * (unmeasured): the JIT's thresholds count calls, and at a few milliseconds of wall time per handshake on a
 * loaded machine a timed warm-up covers too few of them for the miss path's code to be compiled.
 *
 * <p>One operation is one handshake, engines created and released inside it, pumped by
 * {@link InMemoryHandshake}; the verification task the server engine hands out runs inline, so its CPU is in
 * {@link HandshakeCpuTime#serverCpuNanos}, the figure to read (what the gateway pays per handshake). The
 * client side (one Netty OpenSSL context per client certificate) runs on the same thread and is in the wall
 * time and in {@code cpuNanos}. Each operation checks that the handshake completed, that it was full (the
 * client verified the server and the server's verifier was asked in full, never to resume), and that the
 * verifier accepted the expected client's leaf; any deviation throws and fails the run.
 *
 * <p>Not final: JMH generates a subclass of it.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class GatewayHandshakeBenchmark {
    /**
     * Verdict cache size, below the 1,000 clients on purpose. The cache is LRU and the clients are used in a
     * fixed round robin, so a chain is always evicted 500 handshakes before it comes back: every handshake of
     * the 1,000-client case misses, while the cache still does the look-up, insert and eviction it does in
     * production. A fresh verifier per iteration would not do: an iteration holds more than 1,000 handshakes,
     * so from the second lap on they would hit. The 1-client case hits with any size; in the alternating case
     * the repeat client is the most recently used entry at every one of its handshakes, and each new client is
     * still evicted before it comes back (999 other new clients in between).
     */
    static final int VERDICT_CACHE_ENTRIES = 500;

    /** New (never cached) clients cycled through in the {@code 1000} and {@code alternating} cases. */
    private static final int NEW_CLIENTS = 1000;

    /**
     * {@code 1}: one repeat client; {@code 1000}: 1,000 distinct clients in turn, each a verdict cache miss;
     * {@code alternating}: the repeat client and the next of the 1,000 in turn.
     */
    @Param({"1", "1000", "alternating"})
    public String clients;

    /** Handshakes run in setup, unmeasured, so the JIT has compiled the path measured. */
    @Param({"6000"})
    public int primeHandshakes;

    /** The only protocol the listener and the clients offer. */
    @Param({"TLSv1.3", "TLSv1.2"})
    public String protocol;

    private SslContext serverContext;
    private ListenerTls listener;
    private HandshakeVerdicts verdicts;
    private long accepted;
    private SslContext[] clientContexts;
    private byte[][] clientLeaves;
    /** Which client each handshake of a lap uses, as indices into {@link #clientContexts}. */
    private ClientSchedule schedule;
    private ServerVerificationCounter clientTrust;
    private InMemoryHandshake pump;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        InMemoryHandshake.requireThreadCpuTime();
        if (!OpenSsl.isAvailable()) {
            throw new IllegalStateException("netty-tcnative is not usable here", OpenSsl.unavailabilityCause());
        }
        IssuedCertificate root = new CertificateBuilder().subject("CN=bench client root").ca(-1).selfSigned();
        IssuedCertificate intermediate = new CertificateBuilder().subject("CN=bench client intermediate").ca(0)
                .signedBy(root);
        IssuedCertificate server = new CertificateBuilder().subject("CN=gateway").forServer().dns("localhost")
                .signedBy(root);

        listener = BenchListener.build(server, root, BenchListener.protocol(protocol), false, VERDICT_CACHE_ENTRIES)
                .tls();
        verdicts = listener.verdicts();
        serverContext = listener.context();
        clientTrust = ServerVerificationCounter.trusting(root.certificate());
        schedule = ClientSchedule.of(clients, NEW_CLIENTS);
        int distinct = schedule.distinctClients();
        clientContexts = new SslContext[distinct];
        clientLeaves = new byte[distinct][];
        for (int i = 0; i < distinct; i++) {
            IssuedCertificate leaf = new CertificateBuilder().subject("CN=bench client " + i).forClient()
                    .uri("spiffe://bench.example/client/" + i).signedBy(intermediate);
            clientLeaves[i] = leaf.certificate().getEncoded();
            clientContexts[i] = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.OPENSSL_REFCNT)
                    .keyManager(leaf.privateKey(), leaf.chainWithoutRoot())
                    .trustManager(clientTrust)
                    .protocols(protocol)
                    .build();
        }
        pump = new InMemoryHandshake(true);
        checkOneHandshake(server.certificate());
        reportJdkParseCache();
        HandshakeCpuTime unmeasured = new HandshakeCpuTime();
        RepeatAndNewCpuTime unmeasuredSplit = new RepeatAndNewCpuTime();
        for (int i = 0; i < primeHandshakes; i++) {
            handshake(unmeasured, unmeasuredSplit);
        }
        System.out.println("# primed with " + primeHandshakes + " handshakes");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        // Printed so the log shows the verifier really did the work the figures are about.
        System.out.println("# server verifier: " + accepted + " handshakes ended with its accepted verdict");
        // OPENSSL_REFCNT contexts own native SSL_CTXs.
        ReferenceCountUtil.release(serverContext);
        for (SslContext context : clientContexts) {
            ReferenceCountUtil.release(context);
        }
    }

    /** Handshakes per second. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int handshakeThroughput(HandshakeCpuTime time, RepeatAndNewCpuTime split) throws SSLException {
        return handshake(time, split);
    }

    /** Microseconds per handshake. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int handshakeTime(HandshakeCpuTime time, RepeatAndNewCpuTime split) throws SSLException {
        return handshake(time, split);
    }

    private int handshake(HandshakeCpuTime time, RepeatAndNewCpuTime split) throws SSLException {
        int slot = next;
        next = next + 1 == schedule.length() ? 0 : next + 1;
        int client = schedule.clientOf()[slot];
        long serverChecks = clientTrust.serverChecks();
        long serverCpuBefore = time.serverCpuNanos;
        int bytes;
        long cpuStart = InMemoryHandshake.threadCpuNanos();
        SSLEngine clientEngine = clientContexts[client].newEngine(ByteBufAllocator.DEFAULT, "localhost", 443);
        SSLEngine serverEngine = serverContext.newEngine(ByteBufAllocator.DEFAULT);
        try {
            bytes = pump.run(clientEngine, serverEngine, time);
            // The client caches TLS 1.2 sessions by host and port; forgetting it keeps the next handshake full.
            clientEngine.getSession().invalidate();
        } finally {
            ReferenceCountUtil.release(clientEngine);
            ReferenceCountUtil.release(serverEngine);
            time.cpuNanos += InMemoryHandshake.threadCpuNanos() - cpuStart;
        }
        requireFullVerifiedHandshake(client, serverChecks, verdicts.take(serverEngine).orElse(null));
        accepted++;
        time.handshakes++;
        if (schedule.repeat()[slot]) {
            split.repeatServerCpuNanos += time.serverCpuNanos - serverCpuBefore;
            split.repeatHandshakes++;
        } else {
            split.newServerCpuNanos += time.serverCpuNanos - serverCpuBefore;
            split.newHandshakes++;
        }
        return bytes;
    }

    /** Throws unless the last handshake was full and the gateway's verifier accepted client {@code client}. */
    private void requireFullVerifiedHandshake(int client, long serverChecks, Verdict.Accepted verdict) {
        // The client verifies the server in a full handshake only: a resumption would not count here.
        if (clientTrust.serverChecks() != serverChecks + 1) {
            throw new IllegalStateException("the handshake was resumed, not full; the benchmark is invalid");
        }
        if (verdict == null) {
            throw new IllegalStateException("the gateway's verifier left no accepted verdict for this handshake");
        }
        try {
            // getEncoded() copies the DER; it does not parse.
            if (!Arrays.equals(verdict.path().get(0).getEncoded(), clientLeaves[client])) {
                throw new IllegalStateException("the verifier accepted another certificate than client " + client);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode the accepted leaf", e);
        }
    }

    /** One handshake outside the measurement proving the setup is what the parameters claim. */
    private void checkOneHandshake(X509Certificate serverCert) throws SSLException {
        SSLEngine client = clientContexts[0].newEngine(ByteBufAllocator.DEFAULT, "localhost", 443);
        SSLEngine server = serverContext.newEngine(ByteBufAllocator.DEFAULT);
        try {
            pump.run(client, server, new HandshakeCpuTime());
            SSLSession serverSession = server.getSession();
            Certificate[] clientChain = serverSession.getPeerCertificates();
            if (!protocol.equals(serverSession.getProtocol()) || !protocol.equals(client.getSession().getProtocol())) {
                throw new IllegalStateException("negotiated " + serverSession.getProtocol() + ", expected " + protocol);
            }
            if (!client.getSession().getPeerCertificates()[0].equals(serverCert) || clientChain.length != 2
                    || !Arrays.equals(clientChain[0].getEncoded(), clientLeaves[0])) {
                throw new IllegalStateException("peers did not authenticate with the generated certificates");
            }
            if (verdicts.take(server).isEmpty()) {
                throw new IllegalStateException("the gateway's verifier did not accept the check handshake");
            }
            client.getSession().invalidate();
            System.out.println("# " + clients + " client(s): " + serverSession.getProtocol() + " "
                    + serverSession.getCipherSuite() + ", client chain of " + clientChain.length
                    + ", verdict cache " + VERDICT_CACHE_ENTRIES + " entries");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode a peer certificate", e);
        } finally {
            ReferenceCountUtil.release(client);
            ReferenceCountUtil.release(server);
        }
    }

    /**
     * The JDK keeps a bounded cache of parsed certificates keyed by their DER (notes §1.2), and Netty parses the
     * client's chain through it, so a repeat leaf can come back as the same, already verified object. With
     * 1,000 clients in round robin that cache must not hold a leaf for a whole lap, or the "distinct clients"
     * would partly be served from it: checked here by parsing a lap's worth and asking for the first again.
     */
    private void reportJdkParseCache() throws GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        Certificate first = factory.generateCertificate(new ByteArrayInputStream(clientLeaves[0]));
        for (int i = 1; i < clientLeaves.length; i++) {
            factory.generateCertificate(new ByteArrayInputStream(clientLeaves[i]));
        }
        boolean kept = factory.generateCertificate(new ByteArrayInputStream(clientLeaves[0])) == first;
        System.out.println("# JDK parse cache returns client 0's parsed leaf again after a lap of "
                + clientLeaves.length + ": " + kept);
        if (kept && clientLeaves.length > 1) {
            throw new IllegalStateException("the JDK's certificate cache spans all " + clientLeaves.length + " clients;"
                    + " distinct clients would partly hit it");
        }
    }
}
