package io.mtlsgateway.gateway.server;

import io.mtlsgateway.config.Transport;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.logging.Logger;

/**
 * The socket transport in use: its event-loop I/O handler and matching channel classes (a channel
 * class must match its loop's transport, so upstream bootstraps take them from here too).
 */
public record SocketTransport(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerSocketChannel> serverChannel,
        Class<? extends SocketChannel> socketChannel) {

    private static final Logger LOG = Logger.getLogger(SocketTransport.class.getName());

    /**
     * The wanted transport if this machine supports it. {@code auto} prefers epoll; io_uring is
     * used only when asked for, as kernels and container profiles often disable it.
     *
     * @throws IllegalStateException when an explicitly wanted native transport is unavailable
     */
    public static SocketTransport select(Transport wanted) {
        return switch (wanted) {
            case IO_URING -> {
                if (!IoUring.isAvailable()) {
                    throw new IllegalStateException("transport io_uring is not available here: "
                            + IoUring.unavailabilityCause());
                }
                yield ioUring();
            }
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("transport epoll is not available here: "
                            + Epoll.unavailabilityCause());
                }
                yield epoll();
            }
            case NIO -> nio();
            case AUTO -> {
                if (Epoll.isAvailable()) {
                    yield epoll();
                }
                LOG.info("native epoll transport unavailable (" + Epoll.unavailabilityCause() + "); using NIO");
                yield nio();
            }
        };
    }

    private static SocketTransport epoll() {
        return new SocketTransport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                EpollSocketChannel.class);
    }

    private static SocketTransport ioUring() {
        return new SocketTransport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                IoUringSocketChannel.class);
    }

    private static SocketTransport nio() {
        return new SocketTransport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class,
                NioSocketChannel.class);
    }
}
