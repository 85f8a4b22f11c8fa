package io.mtlsgateway.gateway.metrics;

import io.mtlsgateway.config.HostPort;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The admin endpoint on its own one-thread event loop, so a scrape never competes with proxy
 * traffic and a flood of proxy traffic never starves the health checks.
 */
public final class AdminServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds the admin endpoint.
     *
     * @param ready whether {@code /readyz} answers 200
     */
    public static AdminServer start(HostPort listen, GatewayMetrics metrics, BooleanSupplier ready) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gateway-admin", true),
                NioIoHandler.newFactory());
        AdminHandler handler = new AdminHandler(metrics.registry(), ready);
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(new ReadTimeoutHandler(30, TimeUnit.SECONDS))
                                    .addLast(new HttpServerCodec())
                                    // Requests here have no body worth reading.
                                    .addLast(new HttpObjectAggregator(8 * 1024))
                                    .addLast(handler);
                        }
                    })
                    .bind(new InetSocketAddress(listen.host(), listen.port())).syncUninterruptibly().channel();
            return new AdminServer(group, channel);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** The admin event loop group, for the event-loop metrics. */
    public EventLoopGroup group() {
        return group;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
