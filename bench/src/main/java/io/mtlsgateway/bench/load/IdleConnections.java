package io.mtlsgateway.bench.load;

import io.mtlsgateway.bench.ServerVerificationCounter;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens many mutual-TLS connections to a proxy and keeps them open and idle, for the proxy's memory per
 * connection ({@code bench/scale/run.sh}). Each connection completes its handshake and one keep-alive
 * request ({@code GET /}, answered 200), so the proxy has verified the client and set up its HTTP stage; then
 * nothing more is sent. Prints one JSON line once all are open (or have failed), holds them for
 * {@code --hold} seconds, closes them and exits.
 *
 * <pre>IdleConnections --port N --ca FILE --cert FILE --key FILE --connections 10000
 *     [--host 127.0.0.1] [--server-name localhost] [--concurrency 32] [--threads 2] [--hold 30] [--full]</pre>
 *
 * Without {@code --full} the client resumes sessions (TLS 1.3 tickets) where it can, which makes opening
 * 10,000 connections on a busy machine take seconds rather than minutes; the proxy still re-checks each
 * resumed client and holds the same per-connection state.
 */
public final class IdleConnections {
    private static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private IdleConnections() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        int connections = Integer.parseInt(options.getOrDefault("connections", "10000"));
        int concurrency = Integer.parseInt(options.getOrDefault("concurrency", "32"));
        int threads = Integer.parseInt(options.getOrDefault("threads", "2"));
        int hold = Integer.parseInt(options.getOrDefault("hold", "30"));
        String host = options.getOrDefault("host", "127.0.0.1");
        String serverName = options.getOrDefault("server-name", "localhost");
        int port = Integer.parseInt(required(options, "port"));
        if (!OpenSsl.isAvailable()) {
            System.err.println("idle: BoringSSL (netty-tcnative) is not available: " + OpenSsl.unavailabilityCause());
            System.exit(2);
        }
        ServerVerificationCounter trust = ServerVerificationCounter.trusting(Path.of(required(options, "ca")));
        SslContext context = SslContextBuilder.forClient()
                .sslProvider(SslProvider.OPENSSL_REFCNT)
                .keyManager(Path.of(required(options, "cert")).toFile(), Path.of(required(options, "key")).toFile())
                .trustManager(trust)
                .endpointIdentificationAlgorithm("HTTPS")
                .protocols("TLSv1.3")
                .build();
        if (options.containsKey("full")) {
            ((io.netty.handler.ssl.OpenSslSessionContext) context.sessionContext()).setSessionCacheEnabled(false);
        }
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        ConcurrentLinkedQueue<Channel> open = new ConcurrentLinkedQueue<>();
        AtomicInteger failed = new AtomicInteger();
        List<String> firstErrors = new ArrayList<>();
        Semaphore inProgress = new Semaphore(concurrency);
        long start = System.nanoTime();
        try {
            Bootstrap bootstrap = new Bootstrap().group(group)
                    .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            SslHandler tls = context.newHandler(ch.alloc(), serverName, port);
                            ch.pipeline().addLast(tls, new OneRequest(ready -> {
                                if (ready) {
                                    open.add(ch);
                                } else {
                                    failed.incrementAndGet();
                                }
                                inProgress.release();
                            }));
                        }
                    });
            for (int i = 0; i < connections; i++) {
                inProgress.acquire();
                bootstrap.connect(new InetSocketAddress(host, port)).addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        failed.incrementAndGet();
                        synchronized (firstErrors) {
                            if (firstErrors.size() < 3) {
                                firstErrors.add(String.valueOf(f.cause()));
                            }
                        }
                        inProgress.release();
                    }
                });
            }
            inProgress.acquire(concurrency);
            double seconds = (System.nanoTime() - start) / 1e9;
            long full = trust.serverChecks();
            System.out.printf("{\"requested\":%d,\"open\":%d,\"failed\":%d,\"fullHandshakes\":%d,\"secondsToOpen\":%.1f,"
                    + "\"errors\":\"%s\"}%n", connections, open.size(), failed.get(), full, seconds,
                    String.join("; ", firstErrors).replace("\"", "'"));
            System.out.flush();
            TimeUnit.SECONDS.sleep(hold);
            int stillOpen = (int) open.stream().filter(Channel::isActive).count();
            System.err.println("idle: " + stillOpen + " of " + open.size() + " connections still open after holding "
                    + hold + " s");
            open.forEach(Channel::close);
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            ReferenceCountUtil.release(context);
        }
        System.exit(failed.get() == 0 ? 0 : 1);
    }

    /** Sends one request after the handshake and reports once its response has arrived (200) or it failed. */
    private static final class OneRequest extends ChannelInboundHandlerAdapter {
        private final java.util.function.Consumer<Boolean> done;
        private final StringBuilder head = new StringBuilder();
        private boolean reported;

        OneRequest(java.util.function.Consumer<Boolean> done) {
            this.done = done;
        }

        private void report(boolean ready) {
            if (!reported) {
                reported = true;
                done.accept(ready);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent handshake) {
                if (handshake.isSuccess()) {
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(REQUEST));
                } else {
                    report(false);
                    ctx.close();
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            // The upstream's answer is small: the status line and "ok" arrive in one read or a few.
            ByteBuf data = (ByteBuf) msg;
            try {
                if (!reported) {
                    head.append(data.toString(StandardCharsets.US_ASCII));
                    if (head.indexOf("\r\n\r\n") >= 0) {
                        report(head.toString().startsWith("HTTP/1.1 200"));
                        head.setLength(0);
                    }
                }
            } finally {
                data.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            report(false);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            report(false);
            ctx.close();
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + args[i]);
            }
            String name = args[i].substring(2);
            if ("full".equals(name)) {
                options.put(name, "true");
            } else if (i + 1 < args.length) {
                options.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }
}
