package io.mtlsgateway.gateway.testing;

import io.mtlsgateway.gateway.pipeline.HttpCodecs;
import io.netty.bootstrap.ServerBootstrap;
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
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 upstream that answers with a chunked body listing, one per line, the request's
 * headers ({@code H name: value}), its body length ({@code B n}) and its trailers
 * ({@code T name: value}), then sends trailers of its own ({@code x-upstream-trailer: done},
 * {@code grpc-status: 0}).
 */
public final class TrailerUpstream implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final Map<String, AtomicInteger> paths = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();

    public TrailerUpstream() {
        channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        ch.pipeline().addLast(HttpCodecs.server(), new Handler(paths));
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    /** Requests received for exactly this target. */
    public int requestsWithPath(String target) {
        AtomicInteger count = paths.get(target);
        return count == null ? 0 : count.get();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<HttpObject> {
        private final Map<String, AtomicInteger> paths;

        Handler(Map<String, AtomicInteger> paths) {
            this.paths = paths;
        }

        private final StringBuilder report = new StringBuilder();
        private long bodyBytes;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest request) {
                paths.computeIfAbsent(request.uri(), p -> new AtomicInteger()).incrementAndGet();
                report.setLength(0);
                bodyBytes = 0;
                report.append("R ").append(request.method()).append(' ').append(request.uri()).append('\n');
                append("H", request.headers());
            }
            if (msg instanceof HttpContent content) {
                bodyBytes += content.content().readableBytes();
            }
            if (msg instanceof LastHttpContent last) {
                report.append("B ").append(bodyBytes).append('\n');
                append("T", last.trailingHeaders());
                HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setTransferEncodingChunked(response, true);
                response.headers().set("content-type", "text/plain");
                ctx.write(response);
                ctx.write(new DefaultHttpContent(ByteBufUtil.writeUtf8(ctx.alloc(), report)));
                LastHttpContent end = new DefaultLastHttpContent();
                end.trailingHeaders().set("x-upstream-trailer", "done").set("grpc-status", "0");
                ctx.writeAndFlush(end).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
        }

        private void append(String kind, HttpHeaders headers) {
            for (Map.Entry<String, String> header : headers) {
                report.append(kind).append(' ').append(header.getKey()).append(": ").append(header.getValue())
                        .append('\n');
            }
        }
    }
}
