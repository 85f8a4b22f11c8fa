package io.mtlsgateway.gateway.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A real HTTP/2 server for tests (Netty's frame codec): cleartext with prior knowledge (h2c), or
 * over TLS when given a context (which decides ALPN and client certificates). Every request is
 * recorded (head, body size and hash, trailers); what the path contains picks the answer:
 *
 * <ul>
 *   <li>{@code /reset}: RST_STREAM (INTERNAL_ERROR) instead of an answer;
 *   <li>{@code /trailers-only}: a gRPC-style answer in one HEADERS frame ({@code grpc-status: 5});
 *   <li>{@code /large/N}: N bytes of body, written as the stream's flow control allows;
 *   <li>{@code /hold...}: answered only once {@link #release()} was called;
 *   <li>{@code /switch...}: {@code :status 101}, which HTTP/2 does not allow (RFC 9113 section 8.6), and nothing else;
 *   <li>{@code /never...}: never answered (the stream ends when the client resets it, see {@link #awaitReset()});
 *   <li>anything else: 200, a body {@code path=<path> body=<bytes>}, and trailers
 *       ({@code grpc-status: 0}, {@code x-trailer-echo} with the request's {@code x-client-trailer})
 *       when the request has {@code x-want-trailers}.
 * </ul>
 */
public final class H2Upstream implements AutoCloseable {
    /**
     * One request as the upstream received it.
     *
     * @param sendWindow how much of its answer this server could send on the stream when the request's
     *     head arrived, before any WINDOW_UPDATE: the client's SETTINGS_INITIAL_WINDOW_SIZE
     * @param connectionSendWindow the same for the whole connection, at that moment
     */
    public record Request(Http2Headers headers, long bodyBytes, String bodySha256, Http2Headers trailers,
            int connection, int sendWindow, int connectionSendWindow) {
        public String header(String name) {
            CharSequence value = headers.get(name);
            return value == null ? null : value.toString();
        }
    }

    /**
     * The upstream's receive window, per stream and for the connection, as servers such as grpc-java
     * set it (1 MiB) rather than the protocol's 64 KiB default: a 200 MB upload still waits on it
     * hundreds of times, but no longer sends a WINDOW_UPDATE and stalls the sender every 32 KiB,
     * which made such an upload cost the gateway and this server a third more CPU.
     */
    static final int RECEIVE_WINDOW = 1 << 20;

    private final EventLoopGroup group;
    private final Channel server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final CountDownLatch released = new CountDownLatch(1);
    private final BlockingQueue<Long> resets = new LinkedBlockingQueue<>();
    private final AtomicLong largeBytesSent = new AtomicLong();
    private final AtomicInteger flowControlStalls = new AtomicInteger();
    private final Map<Integer, AtomicInteger> streamsPerConnection = new ConcurrentHashMap<>();
    private volatile int goAwayAfter;
    private volatile Consumer<Request> onRequest = r -> {};

    private H2Upstream(SslContext tls, int maxConcurrentStreams) {
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("h2-upstream", true),
                NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        int connection = connections.incrementAndGet();
                        streamsPerConnection.put(connection, new AtomicInteger());
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer()
                                        .initialSettings(Http2Settings.defaultSettings()
                                                .maxConcurrentStreams(maxConcurrentStreams)
                                                .initialWindowSize(RECEIVE_WINDOW))
                                        .build(),
                                new ConnectionWindow(),
                                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                    @Override
                                    protected void initChannel(Http2StreamChannel stream) {
                                        stream.pipeline().addLast(new StreamHandler(connection));
                                    }
                                }),
                                new ClosingOnError());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    /** A cleartext (h2c, prior knowledge) server announcing {@code maxConcurrentStreams}. */
    public static H2Upstream cleartext(int maxConcurrentStreams) {
        return new H2Upstream(null, maxConcurrentStreams);
    }

    /** A server behind {@code tls} (its ALPN and client-certificate settings are the test's). */
    public static H2Upstream overTls(SslContext tls) {
        return new H2Upstream(tls, 100);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public List<Request> requests() {
        return requests;
    }

    public int connections() {
        return connections.get();
    }

    /** Lets every held request ({@code /hold...}) be answered. */
    public void release() {
        released.countDown();
    }

    /**
     * The error code of the next RST_STREAM the client sent on a stream (in arrival order).
     *
     * @throws AssertionError when none comes within 10 s
     */
    public long awaitReset() throws InterruptedException {
        Long code = resets.poll(10, TimeUnit.SECONDS);
        if (code == null) {
            throw new AssertionError("the client reset no stream");
        }
        return code;
    }

    /** Runs for every request once it is complete (before it is answered). */
    public void onRequest(Consumer<Request> action) {
        this.onRequest = action;
    }

    /** After answering this many streams on a connection, send GOAWAY (NO_ERROR) and end it once idle. */
    public void goAwayAfter(int streams) {
        this.goAwayAfter = streams;
    }

    /** Body bytes of {@code /large} answers written so far. */
    public long largeBytesSent() {
        return largeBytesSent.get();
    }

    /** How often a {@code /large} answer had to wait for the client's flow-control window. */
    public int flowControlStalls() {
        return flowControlStalls.get();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class StreamHandler extends ChannelInboundHandlerAdapter {
        private final int connection;
        private final MessageDigest digest;
        private Http2Headers headers;
        private int sendWindow;
        private int connectionSendWindow;
        private long bodyBytes;
        private long toSend;

        StreamHandler(int connection) {
            this.connection = connection;
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame frame) {
                    if (headers == null) {
                        headers = frame.headers();
                        Http2Connection h2 = ctx.channel().parent().pipeline().get(Http2FrameCodec.class).connection();
                        Http2RemoteFlowController flow = h2.remote().flowController();
                        sendWindow = flow.windowSize(h2.stream(frame.stream().id()));
                        connectionSendWindow = flow.windowSize(h2.connectionStream());
                        if (frame.isEndStream()) {
                            complete(ctx, null);
                        }
                    } else {
                        complete(ctx, frame.headers());
                    }
                } else if (msg instanceof Http2DataFrame data) {
                    bodyBytes += data.content().readableBytes();
                    digest.update(data.content().nioBuffer());
                    if (data.isEndStream()) {
                        complete(ctx, null);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void complete(ChannelHandlerContext ctx, Http2Headers trailers) {
            Request request = new Request(headers, bodyBytes, HexFormat.of().formatHex(digest.digest()), trailers,
                    connection, sendWindow, connectionSendWindow);
            requests.add(request);
            onRequest.accept(request);
            String path = headers.path().toString();
            if (path.contains("/never")) {
                return;
            }
            if (path.contains("/hold")) {
                Thread waiter = new Thread(() -> {
                    try {
                        released.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ctx.executor().execute(() -> answer(ctx, request, path));
                }, "h2-upstream-hold");
                waiter.setDaemon(true);
                waiter.start();
                return;
            }
            answer(ctx, request, path);
        }

        private void answer(ChannelHandlerContext ctx, Request request, String path) {
            if (path.contains("/reset")) {
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
                return;
            }
            if (path.contains("/switch")) {
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("101")
                        .set("upgrade", "websocket"), false));
                return;
            }
            if (path.contains("/trailers-only")) {
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                        .set("content-type", "application/grpc").set("grpc-status", "5")
                        .set("grpc-message", "not here"), true));
                countAnswered(ctx);
                return;
            }
            if (path.contains("/large/")) {
                toSend = Long.parseLong(path.substring(path.indexOf("/large/") + "/large/".length()));
                ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                        .set("content-type", "application/octet-stream")));
                sendLarge(ctx);
                return;
            }
            String body = "path=" + path + " body=" + request.bodyBytes();
            boolean trailers = request.header("x-want-trailers") != null;
            ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                    .set("content-type", "text/plain").set("x-upstream-protocol", "h2")));
            ByteBuf data = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
            ctx.write(new DefaultHttp2DataFrame(data, !trailers));
            if (trailers) {
                CharSequence echo = request.trailers() == null ? null : request.trailers().get("x-client-trailer");
                ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "0")
                        .set("x-trailer-echo", echo == null ? "none" : echo), true));
            }
            ctx.flush();
            countAnswered(ctx);
        }

        /** Writes the rest of a {@code /large} body while the stream's window allows. */
        private void sendLarge(ChannelHandlerContext ctx) {
            while (toSend > 0 && ctx.channel().isWritable()) {
                int n = (int) Math.min(16 * 1024, toSend);
                toSend -= n;
                ByteBuf chunk = ctx.alloc().buffer(n);
                chunk.writeZero(n);
                largeBytesSent.addAndGet(n);
                ctx.write(new DefaultHttp2DataFrame(chunk, toSend == 0));
            }
            ctx.flush();
            if (toSend == 0) {
                countAnswered(ctx);
            } else {
                flowControlStalls.incrementAndGet();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame reset) {
                resets.add(reset.errorCode());
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (toSend > 0 && ctx.channel().isWritable()) {
                sendLarge(ctx);
            }
            ctx.fireChannelWritabilityChanged();
        }

        private void countAnswered(ChannelHandlerContext ctx) {
            int limit = goAwayAfter;
            int answered = streamsPerConnection.get(connection).incrementAndGet();
            if (limit > 0 && answered == limit) {
                Channel parent = ctx.channel().parent();
                parent.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
                // Closes once the streams it still serves are done: those it took before the GOAWAY.
                parent.eventLoop().execute(() -> closeWhenIdle(parent));
            }
        }
    }

    /** Raises the connection's window, which SETTINGS cannot (RFC 9113 section 6.9.2), to {@link #RECEIVE_WINDOW}. */
    /**
     * The end of a connection's pipeline: a reset or a refused handshake (the gateway closing a connection a test
     * made it give up) ends the connection, as it would any server's, instead of reaching Netty's tail as a
     * logged stack trace in every test's output.
     */
    private static final class ClosingOnError extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static final class ConnectionWindow extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(RECEIVE_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            ctx.fireChannelActive();
        }
    }

    private static void closeWhenIdle(Channel parent) {
        Http2FrameCodec codec = parent.pipeline().get(Http2FrameCodec.class);
        if (codec == null || codec.connection().numActiveStreams() == 0) {
            // Half-close, as a careful server does: frames the client sent before it read the
            // GOAWAY are still read (and ignored) instead of drawing a TCP reset, which would
            // destroy the answers and the GOAWAY the client has not read yet.
            ((SocketChannel) parent).shutdownOutput();
        } else {
            parent.eventLoop().schedule(() -> closeWhenIdle(parent), 10, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** Lowercase header names with their values, for assertions. */
    public static Map<String, String> flat(Http2Headers headers) {
        Map<String, String> flat = new java.util.LinkedHashMap<>();
        headers.forEach(e -> flat.merge(e.getKey().toString().toLowerCase(Locale.ROOT), e.getValue().toString(),
                (a, b) -> a + ", " + b));
        return flat;
    }
}
