package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.UpstreamProtocol;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An h2 client that stops reading a 144 MiB response from an {@code h2c} upstream, twice, under
 * the test JVM's capped heap and direct memory: flow control on both sides holds the upstream to
 * a bounded lead over what the client took, so the gateway buffers a few windows, never the body.
 *
 * <p>While the client pauses, the upstream waits for its stream window; it then sends a PING and
 * looks again at the ACK. The gateway writes any WINDOW_UPDATE it would grant for the data it
 * read before it answers the PING, so a stream still out of window at the ACK means the gateway
 * grants nothing more while the client does not read (a gateway that read on regardless would keep
 * granting, the upstream would race to the end, and the lead would be the whole body).
 */
class Http2SlowReaderTest {
    private static final long SIZE = 144L * 1024 * 1024; // above the test JVM's 128 MiB direct-memory cap
    private static final int CHUNK = 16 * 1024;
    /** The stream window the gateway grants an upstream (pipeline/UpstreamHttp2, docs/http2.md). */
    private static final long UPSTREAM_STREAM_WINDOW = 1024 * 1024;
    /**
     * The most the upstream may have written beyond what the client took: a window per hop (the
     * upstream's 1 MiB, the client's 64 KiB), what the gateway's write buffers and the upstream's own
     * flow controller hold, with room to spare; far below the body, which is what a missing
     * backpressure would let through.
     */
    private static final long MAX_LEAD = UPSTREAM_STREAM_WINDOW + 1024 * 1024;

    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @Test
    void aClientThatStopsReadingStopsTheH2cUpstreamWithinAFewWindows() throws Exception {
        AtomicLong taken = new AtomicLong();
        LargeBodyUpstream upstream = stack.keep(new LargeBodyUpstream(taken));
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("large", "/", "large")),
                List.of(GatewayFixture.upstream("large", Duration.ofSeconds(120), upstream.port())
                        .withProtocol(UpstreamProtocol.H2C))));
        H2TestClient h2 = stack.keep(H2TestClient.connect(stack.address(), stack.pki().server.root(),
                stack.pki().client("slow", "spiffe://test.example/ns/prod/sa/slow")));
        SlowReader reader = new SlowReader(taken, List.of(1024L * 1024, SIZE / 2));
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(h2.channel())
                .option(ChannelOption.AUTO_READ, false).handler(reader).open().sync().getNow();
        stream.eventLoop().execute(() -> reader.start(stream));

        for (int pause = 0; pause < 2; pause++) {
            long at = await(reader.paused(pause), "pause " + pause, taken, upstream);
            boolean stalled = await(upstream.quiescent(), "the upstream's stall after pause " + pause, taken, upstream);
            assertTrue(stalled, "the upstream kept writing while the client read nothing after " + at
                    + " bytes: " + upstream.written() + " written, at most " + upstream.maxLead() + " ahead");
            long lead = upstream.written() - taken.get();
            assertTrue(lead <= MAX_LEAD, "the upstream ran " + lead + " bytes ahead of the paused client");
            reader.resume();
        }
        assertEquals(SIZE, await(reader.done(), "the end of the body", taken, upstream));
        assertEquals(200, reader.status());
        assertTrue(upstream.maxLead() <= MAX_LEAD, "at some point the upstream ran " + upstream.maxLead()
                + " bytes ahead of the client");
    }

    private static <T> T await(CompletableFuture<T> event, String what, AtomicLong taken, LargeBodyUpstream upstream)
            throws Exception {
        try {
            return event.get(120, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(what + " did not come within 120 s: the client took " + taken.get()
                    + " bytes, the upstream wrote " + upstream.written(), e);
        }
    }

    /**
     * The client's one stream, not reading by itself: it asks for the next frames as it takes them,
     * and stops asking when it has taken as much as the next pause point says.
     */
    private static final class SlowReader extends ChannelInboundHandlerAdapter {
        private final AtomicLong taken;
        private final List<Long> pauseAt;
        private final List<CompletableFuture<Long>> paused = List.of(new CompletableFuture<>(), new CompletableFuture<>());
        private final CompletableFuture<Long> done = new CompletableFuture<>();
        private volatile int status = -1;
        private volatile Channel stream;
        private int nextPause;
        private boolean holding;

        SlowReader(AtomicLong taken, List<Long> pauseAt) {
            this.taken = taken;
            this.pauseAt = pauseAt;
        }

        CompletableFuture<Long> paused(int index) {
            return paused.get(index);
        }

        CompletableFuture<Long> done() {
            return done;
        }

        int status() {
            return status;
        }

        void resume() {
            stream.eventLoop().execute(() -> {
                holding = false;
                stream.read();
            });
        }

        /** Sends the request and asks for the first frames; on the stream's event loop. */
        void start(Channel opened) {
            stream = opened;
            opened.writeAndFlush(new DefaultHttp2HeadersFrame(H2TestClient.head("GET", "/large"), true));
            opened.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame headers && headers.headers().status() != null) {
                    status = Integer.parseInt(headers.headers().status().toString());
                } else if (msg instanceof Http2DataFrame data) {
                    long now = taken.addAndGet(data.content().readableBytes());
                    if (data.isEndStream()) {
                        done.complete(now);
                    }
                    if (nextPause < pauseAt.size() && now >= pauseAt.get(nextPause)) {
                        holding = true;
                        paused.get(nextPause++).complete(now);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!holding && !done.isDone()) {
                ctx.read();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new AssertionError("the stream closed after " + taken.get() + " bytes"));
        }
    }

    /**
     * An h2c server answering one request with {@link #SIZE} bytes, written as fast as the stream's
     * window allows; it records how far it ever got ahead of what the client took.
     */
    private static final class LargeBodyUpstream implements AutoCloseable {
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        private final Channel server;
        private final AtomicLong taken;
        private final AtomicLong written = new AtomicLong();
        private final AtomicLong maxLead = new AtomicLong();
        private volatile Sender sender;

        LargeBodyUpstream(AtomicLong taken) {
            this.taken = taken;
            server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                    new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                        @Override
                                        protected void initChannel(Http2StreamChannel stream) {
                                            Sender created = new Sender();
                                            sender = created;
                                            stream.pipeline().addLast(created);
                                        }
                                    }),
                                    new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                            if (msg instanceof Http2PingFrame ping && ping.ack() && sender != null) {
                                                sender.pingAcknowledged();
                                            }
                                            ReferenceCountUtil.release(msg);
                                        }
                                    });
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
        }

        int port() {
            return ((InetSocketAddress) server.localAddress()).getPort();
        }

        long written() {
            return written.get();
        }

        long maxLead() {
            return maxLead.get();
        }

        /**
         * Completes once the upstream is out of window and a PING round trip brought it none:
         * true; or false when the body was written to its end, or ran too far ahead, first.
         */
        CompletableFuture<Boolean> quiescent() {
            CompletableFuture<Boolean> result = new CompletableFuture<>();
            Sender current = sender;
            current.channel().eventLoop().execute(() -> current.probe(result));
            return result;
        }

        @Override
        public void close() {
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }

        private final class Sender extends ChannelInboundHandlerAdapter {
            private ChannelHandlerContext ctx;
            private long toSend;
            private CompletableFuture<Boolean> probe;
            private long writtenAtPing = -1;

            Channel channel() {
                return ctx.channel();
            }

            @Override
            public void handlerAdded(ChannelHandlerContext context) {
                this.ctx = context;
            }

            @Override
            public void channelRead(ChannelHandlerContext context, Object msg) {
                try {
                    if (msg instanceof Http2HeadersFrame headers && headers.isEndStream()) {
                        toSend = SIZE;
                        context.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                                .set("content-type", "application/octet-stream")));
                        send();
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }

            @Override
            public void channelWritabilityChanged(ChannelHandlerContext context) {
                send();
                context.fireChannelWritabilityChanged();
            }

            private void send() {
                while (toSend > 0 && ctx.channel().isWritable()) {
                    int n = (int) Math.min(CHUNK, toSend);
                    toSend -= n;
                    ByteBuf chunk = ctx.alloc().buffer(n);
                    chunk.writeZero(n);
                    long lead = written.addAndGet(n) - taken.get();
                    maxLead.accumulateAndGet(lead, Math::max);
                    ctx.write(new DefaultHttp2DataFrame(chunk, toSend == 0));
                }
                ctx.flush();
                if (probe != null) {
                    check();
                }
            }

            void probe(CompletableFuture<Boolean> result) {
                probe = result;
                check();
            }

            /**
             * Out of window: ask with a PING whether more window is on its way. Written to the
             * end, or too far ahead of the client already: say so at once.
             */
            private void check() {
                if (toSend == 0 || maxLead.get() > MAX_LEAD) {
                    probe.complete(false);
                    probe = null;
                } else if (!ctx.channel().isWritable() && writtenAtPing < 0) {
                    writtenAtPing = written.get();
                    ctx.channel().parent().writeAndFlush(new DefaultHttp2PingFrame(writtenAtPing));
                }
            }

            void pingAcknowledged() {
                if (probe == null) {
                    return;
                }
                boolean stillWaiting = !ctx.channel().isWritable() && written.get() == writtenAtPing;
                writtenAtPing = -1;
                if (stillWaiting) {
                    probe.complete(true);
                    probe = null;
                } else {
                    check(); // window came meanwhile: wait until it is used up, then ask again
                }
            }
        }
    }
}
