package io.mtlsgateway.bench;

import io.mtlsgateway.gateway.server.ListenerTls;
import io.mtlsgateway.gateway.tls.SessionTicketPolicy;
import io.mtlsgateway.gateway.verify.HandshakeVerdicts;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.SSL;
import io.netty.util.concurrent.ImmediateExecutor;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
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
 * Resumed TLS 1.3 mutual-TLS handshakes (tickets), in memory, server CPU per handshake, including writing
 * the new tickets the server sends after it (the next handshake resumes with one of them).
 *
 * <p>{@code server = gateway}: the server side the gateway builds for a listener ({@link ListenerTls#build},
 * ticket keys from {@link SessionTicketPolicy}), so a resumption runs the verifier's re-check of the resumed
 * chain (anchor, validity, revocation) and hands its verdict over, as in {@code run}. {@code server = engine}:
 * the same certificates and suites on a bare BoringSSL context whose trust manager accepts any chain and is
 * not asked on resumption: the floor of Netty's engine and BoringSSL's crypto, to read the gateway's figure
 * against in the same run. The two sides are {@link SslHandler}s on {@link EmbeddedChannel}s, bytes moved
 * between them on this thread: it is {@code SslHandler} that asks the trust manager about a resumed session,
 * and the delegated tasks run inline, so the server's share ({@link HandshakeCpuTime#serverCpuNanos}, the
 * figure to read) holds all of it. Each operation checks that the handshake resumed (the client did not check the
 * server) and, for the gateway, that the verifier's verdict was handed over.
 *
 * <p>Not final: JMH generates a subclass of it.
 */
@State(Scope.Thread)
// Netty's leak detector off, as the gateway's process sets it for itself (cli/RuntimeDefaults): on, it tracks a
// sample of buffers and engines with stack traces, 174 against 148-163 us of server CPU per resumption here,
// which `run` never pays.
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
// A resumption is one call of each per-connection method: the JIT needs some 15,000 of them before the
// figures settle (measured: 715 -> 296-344 µs of server CPU between 1,000 and 13,000-24,000 handshakes of warm-up).
@Warmup(iterations = 12, time = 5)
@Measurement(iterations = 5, time = 5)
@Threads(1)
public class GatewayResumeBenchmark {
    private static final int MAX_ROUNDS = 16;
    private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n".getBytes(StandardCharsets.US_ASCII);

    @Param({"gateway", "engine"})
    public String server;

    /**
     * What the client offers for the key exchange, which a resumed TLS 1.3 handshake does in full (psk_dhe_ke).
     * {@code default}: Netty's list for BoringSSL, X25519MLKEM768 (hybrid post-quantum) first, which the gateway
     * accepts; that is what a Netty or recent browser client gets. {@code X25519}: what nginx and HAProxy with
     * Debian's OpenSSL 3.0, and {@code openssl s_time} (the crypto floor), negotiate.
     */
    @Param({"default", "X25519"})
    public String clientGroups;

    private ResumePair pair;
    private SslContext serverContext;
    private HandshakeVerdicts verdicts;
    private SslContext clientContext;
    private ServerVerificationCounter clientTrust;
    private long resumed;
    /** The key-exchange group of the first handshake, for the record (and a check that the option took). */
    private String group;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        InMemoryHandshake.requireThreadCpuTime();
        pair = ResumePair.create(server, clientGroups);
        serverContext = pair.serverContext();
        clientContext = pair.clientContext();
        clientTrust = pair.clientTrust();
        verdicts = pair.verdicts();
        // The first handshake is full and leaves a ticket; every measured one resumes.
        handshake(new HandshakeCpuTime(), false);
        handshake(new HandshakeCpuTime(), true);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println("# " + server + ", client groups " + clientGroups + ": " + resumed
                + " resumed handshakes, key exchange " + group);
        pair.close();
    }

    /** Microseconds per resumed handshake (wall time; read {@code serverCpuNanos / handshakes}). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int resumedHandshakeTime(HandshakeCpuTime time) {
        int bytes = handshake(time, true);
        time.handshakes++;
        resumed++;
        return bytes;
    }

    private int handshake(HandshakeCpuTime time, boolean mustResume) {
        long serverChecks = clientTrust.serverChecks();
        long cpuStart = InMemoryHandshake.threadCpuNanos();
        // Delegated tasks (the verification) run inline, so their CPU is the server's.
        SslHandler serverTls = serverContext.newHandler(ByteBufAllocator.DEFAULT, ImmediateExecutor.INSTANCE);
        EmbeddedChannel serverChannel = new EmbeddedChannel(serverTls);
        // The client starts its handshake as its channel becomes active, here.
        SslHandler clientTls = clientContext.newHandler(ByteBufAllocator.DEFAULT, "localhost", 443);
        EmbeddedChannel clientChannel = new EmbeddedChannel(clientTls);
        int bytes = 0;
        try {
            for (int round = 0; !(serverTls.handshakeFuture().isDone() && clientTls.handshakeFuture().isDone());
                    round++) {
                if (round == MAX_ROUNDS) {
                    throw new IllegalStateException("the handshake did not complete in " + MAX_ROUNDS + " rounds");
                }
                bytes += deliver(clientChannel, serverChannel, time, true);
                bytes += deliver(serverChannel, clientChannel, time, false);
            }
            requireSuccess(serverTls, clientTls);
            if (group == null) {
                group = groupOf(serverTls.engine());
            }
            // The server's first response carries the tickets BoringSSL issues after the handshake; the client
            // reads them, so the next handshake can resume.
            long start = InMemoryHandshake.threadCpuNanos();
            serverChannel.writeAndFlush(Unpooled.wrappedBuffer(RESPONSE));
            time.serverCpuNanos += InMemoryHandshake.threadCpuNanos() - start;
            bytes += deliver(serverChannel, clientChannel, time, false);
            int read = 0;
            for (Object in = clientChannel.readInbound(); in != null; in = clientChannel.readInbound()) {
                read += ((ByteBuf) in).readableBytes();
                ((ByteBuf) in).release();
            }
            if (read != RESPONSE.length) {
                throw new IllegalStateException("the client read " + read + " bytes of the server's " + RESPONSE.length);
            }
        } finally {
            clientChannel.finishAndReleaseAll();
            long start = InMemoryHandshake.threadCpuNanos();
            serverChannel.finishAndReleaseAll();
            time.serverCpuNanos += InMemoryHandshake.threadCpuNanos() - start;
            time.cpuNanos += InMemoryHandshake.threadCpuNanos() - cpuStart;
        }
        if (mustResume && clientTrust.serverChecks() != serverChecks) {
            throw new IllegalStateException("the handshake was full, not resumed; the benchmark is invalid");
        }
        if (verdicts != null && verdicts.take(serverTls.engine()).isEmpty()) {
            throw new IllegalStateException("the gateway's verifier handed over no verdict for this handshake");
        }
        return bytes;
    }

    /** Moves what {@code from} wrote to {@code to}; the receiving side's CPU is the server's when it is the server. */
    private static int deliver(EmbeddedChannel from, EmbeddedChannel to, HandshakeCpuTime time, boolean toServer) {
        int bytes = 0;
        for (Object out = from.readOutbound(); out != null; out = from.readOutbound()) {
            bytes += ((ByteBuf) out).readableBytes();
            long start = InMemoryHandshake.threadCpuNanos();
            to.writeInbound(out);
            if (toServer) {
                time.serverCpuNanos += InMemoryHandshake.threadCpuNanos() - start;
            }
        }
        return bytes;
    }

    private static String groupOf(SSLEngine engine) {
        try {
            return SSL.getGroupName(((ReferenceCountedOpenSslEngine) engine).sslPointer());
        } catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static void requireSuccess(SslHandler server, SslHandler client) {
        if (!server.handshakeFuture().isSuccess()) {
            throw new IllegalStateException("the server's handshake failed", server.handshakeFuture().cause());
        }
        if (!client.handshakeFuture().isSuccess()) {
            throw new IllegalStateException("the client's handshake failed", client.handshakeFuture().cause());
        }
    }
}
