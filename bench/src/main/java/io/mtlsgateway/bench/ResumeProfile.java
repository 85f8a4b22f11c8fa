package io.mtlsgateway.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ImmediateExecutor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@link GatewayResumeBenchmark}'s resumed handshake for a profiler: the same two contexts, but every
 * server-side step (creating its handler and channel, reading the client's flights, writing the response
 * with the tickets, closing) runs on a thread of its own, named {@code resume-server}, so that
 * {@code perf record} and JFR can tell the server's samples from the client's by thread. Prints the server
 * thread's CPU per handshake, engine creation included (JMH's {@code serverCpuNanos} leaves it out).
 *
 * <pre>
 * java -XX:+PreserveFramePointer -cp bench/target/benchmarks.jar io.mtlsgateway.bench.ResumeProfile \
 *     gateway X25519 20000 60     # server, client groups, warm-up handshakes, measured seconds
 * </pre>
 */
final class ResumeProfile {
    private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final ResumePair pair;
    private final ExecutorService server = Executors.newSingleThreadExecutor(r -> new Thread(r, "resume-server"));
    private long serverThreadId;

    private ResumeProfile(ResumePair pair) {
        this.pair = pair;
    }

    public static void main(String[] args) throws Exception {
        String serverKind = args.length > 0 ? args[0] : "gateway";
        String groups = args.length > 1 ? args[1] : "X25519";
        int warmUp = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        try (ResumePair pair = ResumePair.create(serverKind, groups)) {
            ResumeProfile profile = new ResumeProfile(pair);
            profile.serverThreadId = profile.server.submit(() -> Thread.currentThread().getId()).get();
            profile.handshake(false);
            for (int i = 0; i < warmUp; i++) {
                profile.handshake(true);
            }
            System.out.println("# warmed up; process " + ProcessHandle.current().pid()
                    + ", server thread \"resume-server\"; measuring " + seconds + " s");
            System.out.flush();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            long cpu0 = THREADS.getThreadCpuTime(profile.serverThreadId);
            long n = 0;
            while (System.nanoTime() < end) {
                profile.handshake(true);
                n++;
            }
            long cpu = THREADS.getThreadCpuTime(profile.serverThreadId) - cpu0;
            System.out.printf("# %s, client groups %s: %d resumed handshakes, server thread %.1f µs CPU each%n",
                    serverKind, groups, n, cpu / 1000.0 / n);
            profile.server.shutdownNow();
        }
    }

    private void handshake(boolean mustResume) throws Exception {
        long checks = pair.clientTrust().serverChecks();
        EmbeddedChannel serverChannel = server.submit(() -> new EmbeddedChannel(
                pair.serverContext().newHandler(ByteBufAllocator.DEFAULT, ImmediateExecutor.INSTANCE))).get();
        SslHandler clientTls = pair.clientContext().newHandler(ByteBufAllocator.DEFAULT, "localhost", 443);
        EmbeddedChannel clientChannel = new EmbeddedChannel(clientTls);
        SslHandler serverTls = serverChannel.pipeline().get(SslHandler.class);
        try {
            for (int round = 0; !(serverTls.handshakeFuture().isDone() && clientTls.handshakeFuture().isDone());
                    round++) {
                if (round == 16) {
                    throw new IllegalStateException("the handshake did not complete");
                }
                List<Object> toServer = drain(clientChannel);
                List<Object> toClient = server.submit(() -> {
                    for (Object out : toServer) {
                        serverChannel.writeInbound(out);
                    }
                    return drain(serverChannel);
                }).get();
                for (Object out : toClient) {
                    clientChannel.writeInbound(out);
                }
            }
            if (!serverTls.handshakeFuture().isSuccess() || !clientTls.handshakeFuture().isSuccess()) {
                throw new IllegalStateException("the handshake failed");
            }
            List<Object> response = server.submit(() -> {
                serverChannel.writeAndFlush(Unpooled.wrappedBuffer(RESPONSE));
                return drain(serverChannel);
            }).get();
            for (Object out : response) {
                clientChannel.writeInbound(out);
            }
            for (Object in = clientChannel.readInbound(); in != null; in = clientChannel.readInbound()) {
                ((ByteBuf) in).release();
            }
        } finally {
            clientChannel.finishAndReleaseAll();
            server.submit(serverChannel::finishAndReleaseAll).get();
        }
        if (mustResume && pair.clientTrust().serverChecks() != checks) {
            throw new IllegalStateException("the handshake was full, not resumed");
        }
        if (pair.verdicts() != null) {
            Future<Boolean> taken = server.submit(() -> pair.verdicts().take(serverTls.engine()).isPresent());
            if (!taken.get()) {
                throw new IllegalStateException("no verdict handed over");
            }
        }
    }

    private static List<Object> drain(EmbeddedChannel channel) {
        List<Object> out = new ArrayList<>();
        for (Object o = channel.readOutbound(); o != null; o = channel.readOutbound()) {
            out.add(o);
        }
        return out;
    }
}
