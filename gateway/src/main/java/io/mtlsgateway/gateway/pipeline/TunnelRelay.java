package io.mtlsgateway.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Relays the bytes one connection reads to its peer; the client side's also hears the connection's events. */
final class TunnelRelay extends ChannelInboundHandlerAdapter {
    /** Under the tunnel's name, where its log lines have always been. */
    private static final Logger LOG = Logger.getLogger(Tunnel.class.getName());

    private final Channel peer;
    /** Null on the upstream side. */
    private final Tunnel.Owner owner;
    private boolean closedByGateway;

    TunnelRelay(Channel peer, Tunnel.Owner owner) {
        this.peer = peer;
        this.owner = owner;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (owner != null && owner.tokenAcceptedUntil().isPresent()) {
            // The token was judged once, for the request that opened the tunnel; no later request
            // will present it again. Past its validity the tunnel ends, as a request with it would be refused.
            Instant until = owner.tokenAcceptedUntil().get();
            long delay = Math.max(0, until.toEpochMilli() + 1 - System.currentTimeMillis());
            ScheduledFuture<?> timer = ctx.executor().schedule(() -> tokenExpired(ctx, until), delay,
                    TimeUnit.MILLISECONDS);
            ctx.channel().closeFuture().addListener(f -> timer.cancel(false));
        }
    }

    private void tokenExpired(ChannelHandlerContext ctx, Instant until) {
        if (!closedByGateway && ctx.channel().isOpen()) {
            LOG.log(Level.WARNING, "listener {0}: closing the tunnel of {1} ({2}): the token that authorized it "
                    + "is no longer valid since {3}", new Object[] {owner.listener(), ctx.channel().remoteAddress(),
                        client(), until});
            closeBoth(ctx, "token_expired");
        }
    }

    /** The client in a log line: its certificate's serial (a tunnel of a token may have no certificate). */
    private String client() {
        return owner.chain().isEmpty() ? "no certificate" : "serial " + owner.chain().get(0).getSerialNumber().toString(16);
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
        if (owner != null && evt instanceof TrustChangedEvent change && change.concerns(owner.listener(), owner.host())
                && !owner.chain().isEmpty() && !change.stillTrusted().test(owner.chain())) {
            // No request boundary to wait for in a tunnel: a client no longer trusted is cut off now.
            LOG.log(Level.WARNING, "listener {0}: closing the tunnel of {1} (serial {2}): {3}", new Object[] {
                owner.listener(), ctx.channel().remoteAddress(), owner.chain().get(0).getSerialNumber().toString(16),
                change.why()});
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
