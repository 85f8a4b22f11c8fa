package io.mtlsgateway.gateway.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a pooled upstream connection: hands responses to the exchange using the
 * connection, and closes an idle one that receives anything or idles out (its state is no longer
 * known, so it must never be handed out again).
 */
public final class UpstreamChannelHandler extends ChannelInboundHandlerAdapter {
    private UpstreamListener listener;

    void attach(UpstreamListener newListener) {
        this.listener = newListener;
    }

    void detach() {
        this.listener = null;
    }

    boolean inUse() {
        return listener != null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (listener != null && msg instanceof HttpObject http) {
            listener.onResponse(http);
            return;
        }
        ReferenceCountUtil.release(msg);
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.onUpstreamWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            // Idle in the pool: retire it. Idle in use: neither side moved for a whole idle
            // timeout (a stalled upstream, or a client that stopped reading), so the exchange
            // gives up rather than hold both connections forever.
            UpstreamListener current = listener;
            listener = null;
            ctx.close();
            if (current != null) {
                current.onUpstreamIdle();
            }
            return;
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamListener current = listener;
        listener = null;
        if (current != null) {
            current.onUpstreamClosed(null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamListener current = listener;
        listener = null;
        ctx.close();
        if (current != null) {
            current.onUpstreamClosed(cause);
        }
    }
}
