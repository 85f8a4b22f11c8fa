package io.mtlsgateway.gateway.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The handler of a pooled HTTP/2 upstream connection in front of its stream multiplexer (so it
 * sees a GOAWAY before the streams do): tells the connection's {@link Http2Connection} of its
 * SETTINGS, GOAWAY, idleness, failure and close, and gives the upstream the connect timeout to
 * send its first SETTINGS.
 */
public final class Http2ConnectionHandler extends ChannelInboundHandlerAdapter {
    private final Duration readyTimeout;
    private Http2Connection connection;
    private ScheduledFuture<?> readyDeadline;

    /** @param readyTimeout how long the upstream has to send its SETTINGS once connected (the connect timeout) */
    public Http2ConnectionHandler(Duration readyTimeout) {
        this.readyTimeout = readyTimeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        connection = new Http2Connection(ctx.channel(), ctx.executor().newPromise());
    }

    /** The connection as the pool sees it; there from the moment this handler is in the pipeline. */
    Http2Connection connection() {
        return connection;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        readyDeadline = ctx.executor().schedule(() -> {
            if (connection.ready().isDone()) {
                return;
            }
            connection.failed(new ConnectTimeoutException("no SETTINGS from the upstream within " + readyTimeout));
            ctx.close();
        }, readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2SettingsFrame settings) {
            if (connection.settings(settings.settings().maxConcurrentStreams())) {
                readyDeadline.cancel(false);
            }
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof Http2GoAwayFrame) {
            // Streams the upstream still processes finish; the multiplexer tells the others, whose
            // requests may then be sent again: by then this connection takes no new streams.
            connection.goAway();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (connection.idle()) {
                ctx.close();
            }
            return;
        }
        if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
            connection.failed(done.cause());
            ctx.close();
        }
        // The codec tells the multiplexer of stream changes (opened, closed, writable) this way.
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException) {
            // One stream's error: the multiplexer hands it to that stream; the connection serves on.
            ctx.fireExceptionCaught(cause);
            return;
        }
        connection.failed(cause);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (readyDeadline != null) {
            readyDeadline.cancel(false);
        }
        connection.closed();
    }
}
