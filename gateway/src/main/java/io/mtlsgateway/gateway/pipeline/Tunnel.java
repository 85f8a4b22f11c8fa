package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.pipeline.PipelineNames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.AttributeKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A client connection and an upstream connection joined after a 101 Switching Protocols: the HTTP
 * codecs leave both pipelines and bytes flow unchanged both ways, with the same backpressure as
 * the HTTP relay (a side that cannot write stops the other side reading). Either side closing, or
 * no traffic for the listener's idle timeout, closes both. So does a reload that no longer trusts
 * the client (at once), and the end of a drain ({@link DrainEvent#CLOSE_TUNNELS}).
 */
public final class Tunnel {
    private static final Logger LOG = Logger.getLogger(Tunnel.class.getName());
    /** Marks a client connection that became a tunnel, so a drain knows it cannot end by itself. */
    static final AttributeKey<Boolean> OPEN = AttributeKey.valueOf("mtls-gateway.tunnel");

    private Tunnel() {}

    /**
     * Whose tunnel this is, for the events that end it.
     *
     * @param listener the listener the client connected to
     * @param chain the client's verified chain, leaf first (empty without a certificate)
     * @param closedBy told the reason ({@code untrusted}, {@code drain}) when the gateway closes the tunnel
     */
    public record Owner(String listener, List<X509Certificate> chain, Consumer<String> closedBy) {
        public Owner {
            chain = List.copyOf(chain);
        }
    }

    static boolean isTunnel(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(OPEN).get());
    }

    /**
     * Rewires both pipelines. Call it on the shared event loop as soon as the 101 head has been
     * read from the upstream and written to the client; whatever the upstream decoder still holds
     * or emits after that reaches the relay.
     *
     * @param downstream the client connection's pipeline, still holding the HTTP stage
     */
    public static void open(ChannelPipeline downstream, Channel upstream, Duration idleTimeout, Owner owner) {
        Channel client = downstream.channel();
        client.attr(OPEN).set(true);
        // Relays first, then the codecs: removing a decoder hands any bytes it still holds to the
        // handler after it, which must already be the relay.
        downstream.replace(PipelineNames.PROXY, PipelineNames.TUNNEL, new Relay(upstream, owner));
        removeIfPresent(downstream, PipelineNames.HTTP_GUARD);
        removeIfPresent(downstream, PipelineNames.HTTP_TIMEOUTS);
        downstream.addBefore(PipelineNames.TUNNEL, PipelineNames.TUNNEL_IDLE,
                new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
        downstream.remove(PipelineNames.HTTP_CODEC);

        ChannelPipeline up = upstream.pipeline();
        up.replace(PipelineNames.UPSTREAM_HANDLER, PipelineNames.TUNNEL, new Relay(client, null));
        // A tunnel's silence is judged on the client side; the pool's idle rule no longer applies.
        removeIfPresent(up, PipelineNames.UPSTREAM_IDLE);
        up.remove(PipelineNames.UPSTREAM_CODEC);

        client.config().setAutoRead(true);
        upstream.config().setAutoRead(true);
        if (!client.isActive() || !upstream.isActive()) {
            client.close();
            upstream.close();
        }
    }

    private static void removeIfPresent(ChannelPipeline pipeline, String name) {
        if (pipeline.get(name) != null) {
            pipeline.remove(name);
        }
    }

    /** Relays the bytes one connection reads to its peer; the client side's also hears the connection's events. */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel peer;
        /** Null on the upstream side. */
        private final Owner owner;
        private boolean closedByGateway;

        Relay(Channel peer, Owner owner) {
            this.peer = peer;
            this.owner = owner;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Object bytes = msg;
            if (msg instanceof HttpContent content) {
                // Decoded just before the codec left (a 101 whose decoder expected a body, as for
                // the old Hixie-76 WebSocket handshake): its bytes belong to the tunnel.
                bytes = content.content().retain();
                content.release();
            }
            if (!(bytes instanceof ByteBuf)) {
                ReferenceCountUtil.release(bytes);
                return;
            }
            peer.write(bytes).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            if (!peer.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            peer.flush();
            ctx.fireChannelReadComplete();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            // This side drained (or filled): let the peer read again (or stop it).
            peer.config().setAutoRead(ctx.channel().isWritable());
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // Deliver what is still queued for the peer, then close it too.
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            ctx.fireChannelInactive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
                return;
            }
            if (owner != null && evt instanceof TrustChangedEvent change && change.listener().equals(owner.listener())
                    && !owner.chain().isEmpty() && !change.stillTrusted().test(owner.chain())) {
                // No request boundary to wait for in a tunnel: a client no longer trusted is cut off now.
                LOG.log(Level.WARNING, "listener {0}: closing the tunnel of {1} (serial {2}): the reloaded trust "
                        + "material no longer accepts its certificate", new Object[] {owner.listener(),
                            ctx.channel().remoteAddress(), owner.chain().get(0).getSerialNumber().toString(16)});
                closeBoth(ctx, "untrusted");
            } else if (owner != null && evt instanceof DrainEvent drain && drain.closesTunnels()) {
                closeBoth(ctx, "drain");
            }
            ctx.fireUserEventTriggered(evt);
        }

        private void closeBoth(ChannelHandlerContext ctx, String reason) {
            if (closedByGateway) {
                return;
            }
            closedByGateway = true;
            owner.closedBy().accept(reason);
            ctx.close();
            peer.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
