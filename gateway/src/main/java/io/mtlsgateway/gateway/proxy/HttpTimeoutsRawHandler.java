package io.mtlsgateway.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The {@link HttpTimeouts} vantage point before the HTTP codec: only here is the first byte of a
 * request seen to arrive (the codec shows nothing until the head is whole), which starts the
 * header-read clock.
 */
final class HttpTimeoutsRawHandler extends ChannelInboundHandlerAdapter {
    private final HttpTimeouts timeouts;

    HttpTimeoutsRawHandler(HttpTimeouts timeouts) {
        this.timeouts = timeouts;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeouts.idle(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
            timeouts.bytesArrived(ctx);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timeouts.stop();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        timeouts.stop();
        ctx.fireChannelInactive();
    }
}
