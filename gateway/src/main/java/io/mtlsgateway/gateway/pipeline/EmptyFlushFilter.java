package io.mtlsgateway.gateway.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Passes a flush on only when something was written through here since the last flush it passed.
 * The h2 frame codec flushes at the end of every read of the connection, and {@code h2-streams}
 * after its streams have read (once per read; the multiplexer it replaced did the same), written or not: with one request per stream, two flushes per request found
 * nothing to send, and each still cost a scheduled task and a TLS wrap of nothing (about 1.5 µs of
 * the gateway's CPU per request in bench/load, h2-1). Whatever is written below this handler is
 * flushed by the handler that wrote it (TLS records of the handshake, the codec's own frames).
 *
 * <p>One per connection, used on its event loop only.
 */
final class EmptyFlushFilter extends ChannelOutboundHandlerAdapter {
    private boolean written;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        written = true;
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (written) {
            written = false;
            ctx.flush();
        }
    }
}
