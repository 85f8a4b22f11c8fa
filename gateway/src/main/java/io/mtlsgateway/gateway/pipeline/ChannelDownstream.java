package io.mtlsgateway.gateway.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObject;

/** An HTTP/1.1 client connection, written through the request stage's handler context. */
public final class ChannelDownstream implements Downstream {
    private final ChannelHandlerContext ctx;

    public ChannelDownstream(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Channel connection() {
        return ctx.channel();
    }

    @Override
    public int streamId() {
        return 0;
    }

    @Override
    public void write(HttpObject message) {
        ctx.write(message).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    @Override
    public ChannelFuture writeAndFlush(HttpObject message, boolean closeAfter) {
        ChannelFuture written = ctx.writeAndFlush(message);
        written.addListener(closeAfter ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
        return written;
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public void close() {
        ctx.close();
    }

    @Override
    public void closeAfter(ChannelFuture written) {
        written.addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public boolean reading() {
        return ctx.channel().config().isAutoRead();
    }

    @Override
    public void reading(boolean on) {
        ctx.channel().config().setAutoRead(on);
    }

    @Override
    public void connectionCapExceeded() {
        // Its answer closes the connection.
    }

    @Override
    public ChannelPipeline tunnelPipeline() {
        return ctx.pipeline();
    }
}
