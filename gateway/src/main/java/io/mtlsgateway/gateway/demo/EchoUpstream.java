package io.mtlsgateway.gateway.demo;

import static io.mtlsgateway.gateway.Json.quote;

import io.mtlsgateway.gateway.pipeline.HttpCodecs;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain HTTP/1.1 server standing in for a legacy API: it answers every request with JSON
 * describing what it received (method, path, every header, and the body's length and SHA-256,
 * hashed as it streams in), so a person or a test sees exactly what the gateway forwarded.
 */
public final class EchoUpstream implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;
    private final AtomicInteger requests;

    private EchoUpstream(EventLoopGroup group, Channel channel, AtomicInteger requests) {
        this.group = group;
        this.channel = channel;
        this.requests = requests;
    }

    /** Starts the server on 127.0.0.1 at the given port (0 picks a free one). */
    public static EchoUpstream start(int port) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("echo-upstream", true),
                NioIoHandler.newFactory());
        AtomicInteger requests = new AtomicInteger();
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(HttpCodecs.server(), new EchoHandler(requests));
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", port)).syncUninterruptibly().channel();
            return new EchoUpstream(group, channel, requests);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** How many requests it has received (counted when their head arrives). */
    public int requestCount() {
        return requests.get();
    }

    /** The bound port. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class EchoHandler extends SimpleChannelInboundHandler<HttpObject> {
        private final AtomicInteger requests;
        private HttpRequest request;
        private MessageDigest digest;
        private long bodyBytes;

        EchoHandler(AtomicInteger requests) {
            this.requests = requests;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest req) {
                request = req;
                requests.incrementAndGet();
                digest = sha256();
                bodyBytes = 0;
            }
            if (msg instanceof HttpContent content && request != null) {
                ByteBuf data = content.content();
                bodyBytes += data.readableBytes();
                digest.update(data.nioBuffer());
                if (content instanceof LastHttpContent) {
                    respond(ctx);
                }
            }
        }

        private void respond(ChannelHandlerContext ctx) {
            StringBuilder json = new StringBuilder(512).append("{\n  \"method\": ").append(quote(request.method().name()))
                    .append(",\n  \"path\": ").append(quote(request.uri())).append(",\n  \"headers\": {");
            String separator = "\n";
            for (Map.Entry<String, String> header : request.headers()) {
                json.append(separator).append("    ").append(quote(header.getKey())).append(": ")
                        .append(quote(header.getValue()));
                separator = ",\n";
            }
            json.append("\n  },\n  \"bodyBytes\": ").append(bodyBytes).append(",\n  \"bodySha256\": ")
                    .append(quote(HexFormat.of().formatHex(digest.digest()))).append("\n}\n");
            ByteBuf body = ByteBufUtil.writeUtf8(ctx.alloc(), json);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            request = null;
            ctx.writeAndFlush(response)
                    .addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required of every JDK", e);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
