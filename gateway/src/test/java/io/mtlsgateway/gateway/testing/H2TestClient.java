package io.mtlsgateway.gateway.testing;

import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real h2 client over mTLS (Netty's frame codec, ALPN {@code h2} only), for tests: one
 * connection, a stream per request, every frame of the answer collected.
 */
public final class H2TestClient implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;
    private final SslContext context;
    private final CompletableFuture<Long> goAway;

    private H2TestClient(EventLoopGroup group, Channel channel, SslContext context, CompletableFuture<Long> goAway) {
        this.group = group;
        this.channel = channel;
        this.context = context;
        this.goAway = goAway;
    }

    /** What came back on one stream: the head, the body, the trailers if any, or the reset. */
    public record Reply(Http2Headers headers, String body, Http2Headers trailers, long resetCode) {
        public int status() {
            return headers == null ? -1 : Integer.parseInt(headers.status().toString());
        }

        public String header(String name) {
            CharSequence value = headers == null ? null : headers.get(name);
            return value == null ? null : value.toString();
        }
    }

    /** @param clientCertificate presented to the gateway; null to present none */
    public static H2TestClient connect(InetSocketAddress address, X509Certificate trustedServerRoot,
            IssuedCertificate clientCertificate) throws Exception {
        return connect(null, address, trustedServerRoot, clientCertificate);
    }

    /**
     * @param sni the server name sent in the ClientHello; null for none (the address is an IP)
     * @param clientCertificate presented to the gateway; null to present none
     */
    public static H2TestClient connect(String sni, InetSocketAddress address, X509Certificate trustedServerRoot,
            IssuedCertificate clientCertificate) throws Exception {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .trustManager(trustedServerRoot)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2));
        if (clientCertificate != null) {
            builder.keyManager(clientCertificate.privateKey(),
                    clientCertificate.chainWithoutRoot().toArray(X509Certificate[]::new));
        }
        SslContext context = builder.build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        CompletableFuture<Long> goAway = new CompletableFuture<>();
        CompletableFuture<String> negotiated = new CompletableFuture<>();
        Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // The JDK engine sends SNI for a host name, never for an IP address.
                        SslHandler tls = context.newHandler(ch.alloc(),
                                sni == null ? address.getHostString() : sni, address.getPort());
                        tls.handshakeFuture().addListener(f -> {
                            if (f.isSuccess()) {
                                negotiated.complete(String.valueOf(tls.applicationProtocol()));
                            } else {
                                negotiated.completeExceptionally(f.cause());
                            }
                        });
                        ch.pipeline().addLast(tls, Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        if (msg instanceof Http2GoAwayFrame frame) {
                                            goAway.complete(frame.errorCode());
                                        }
                                        ReferenceCountUtil.release(msg);
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        goAway.complete(-1L);
                                    }
                                });
                    }
                }).connect(address).sync().channel();
        String protocol = negotiated.get(10, TimeUnit.SECONDS);
        if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            channel.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            ReferenceCountUtil.release(context);
            throw new IllegalStateException("server chose " + protocol + ", not h2");
        }
        return new H2TestClient(group, channel, context, goAway);
    }

    /** A GET-style head for {@code path} on {@code localhost}. */
    public static Http2Headers head(String method, String path) {
        return new DefaultHttp2Headers().method(method).path(path).scheme("https").authority("localhost");
    }

    /** Sends one request on a new stream. */
    public CompletableFuture<Reply> request(Http2Headers headers, String body, Http2Headers trailers) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        Collector collector = new Collector(reply);
        new Http2StreamChannelBootstrap(channel).handler(collector).open().addListener(f -> {
            if (!f.isSuccess()) {
                reply.completeExceptionally(f.cause());
                return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
            boolean headersOnly = body == null && trailers == null;
            stream.write(new DefaultHttp2HeadersFrame(headers, headersOnly));
            if (body != null) {
                ByteBuf data = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
                stream.write(new DefaultHttp2DataFrame(data, trailers == null));
            }
            if (trailers != null) {
                stream.write(new DefaultHttp2HeadersFrame(trailers, true));
            }
            stream.flush();
        });
        return reply;
    }

    public Reply get(String path) throws Exception {
        return request(head("GET", path), null, null).get(10, TimeUnit.SECONDS);
    }

    /** Completes with the error code of the server's GOAWAY, or -1 when the connection closed without one. */
    public CompletableFuture<Long> goAway() {
        return goAway;
    }

    public Channel channel() {
        return channel;
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        ReferenceCountUtil.release(context);
    }

    private static final class Collector extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Reply> reply;
        private final StringBuilder body = new StringBuilder();
        private Http2Headers headers;

        Collector(CompletableFuture<Reply> reply) {
            this.reply = reply;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame frame) {
                    boolean informational = frame.headers().status() != null
                            && frame.headers().status().toString().startsWith("1");
                    if (headers == null && !informational) {
                        headers = frame.headers();
                        if (frame.isEndStream()) {
                            reply.complete(new Reply(headers, body.toString(), null, -1));
                        }
                    } else if (headers != null) {
                        reply.complete(new Reply(headers, body.toString(), frame.headers(), -1));
                    }
                } else if (msg instanceof Http2DataFrame data) {
                    body.append(data.content().toString(StandardCharsets.UTF_8));
                    if (data.isEndStream()) {
                        reply.complete(new Reply(headers, body.toString(), null, -1));
                    }
                } else if (msg instanceof Http2ResetFrame reset) {
                    reply.complete(new Reply(headers, body.toString(), null, reset.errorCode()));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            // Netty delivers RST_STREAM as an event: it is not flow controlled.
            if (evt instanceof Http2ResetFrame reset) {
                reply.complete(new Reply(headers, body.toString(), null, reset.errorCode()));
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            reply.complete(new Reply(headers, body.toString(), null, -2));
        }
    }
}
