package io.mtlsgateway.bench.load;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The gRPC upstream of the grpc mode ({@code bench/load/run.sh}): cleartext h2 with prior knowledge (h2c) on a
 * loopback port, answering every unary call with one fixed message and {@code grpc-status: 0} in the trailers,
 * like a gRPC server with a trivial handler, so the proxies in front of it are what is measured. A call without
 * the identity header the proxy must inject gets {@code grpc-status: 16} instead, which fails the load run.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.mtlsgateway.bench.load.GrpcUpstream --port N [--threads 1]</pre>
 */
public final class GrpcUpstream {
    private GrpcUpstream() {}

    public static void main(String[] args) throws InterruptedException {
        int port = -1;
        int threads = 1;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                default -> port = -2;
            }
        }
        if (port < 0 || port > 65_535 || threads < 1 || args.length % 2 != 0) {
            System.err.println("usage: GrpcUpstream --port N [--threads 1]");
            System.exit(2);
        }
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(), new UnaryResponder());
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
            System.out.println("grpc upstream: listening on " + server.localAddress());
            server.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }
}
