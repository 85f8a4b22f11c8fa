package io.mtlsgateway.gateway.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The handler of a pooled HTTP/2 upstream connection in front of its stream multiplexer (so it
 * sees a GOAWAY before the streams do), and the connection's state as the pool sees it:
 * ready once the upstream's first SETTINGS arrived (so its stream limit is known before a single
 * stream is opened), how many streams it may carry, how many are open, and whether it still takes
 * new ones (not after a GOAWAY, nor once idle or retired). Only the connection's event loop uses it.
 */
public final class Http2Connection extends ChannelInboundHandlerAdapter {
    /** Streams assumed when the upstream announces no limit (RFC 9113 section 6.5.2 advises at least 100). */
    static final int DEFAULT_MAX_STREAMS = 100;
    /** Streams one connection opens before it is retired: far below the 2^30 client stream ids. */
    static final long MAX_STREAMS_PER_CONNECTION = 1L << 29;

    /** Hears what changes the connection's capacity. */
    interface Listener {
        void capacityChanged(Http2Connection connection);
    }

    private final Duration readyTimeout;
    private Channel channel;
    private Promise<Void> ready;
    private ScheduledFuture<?> readyDeadline;
    private Listener listener;
    private int maxStreams = DEFAULT_MAX_STREAMS;
    private int active;
    private long opened;
    private boolean goingAway;

    /** @param readyTimeout how long the upstream has to send its SETTINGS once connected (the connect timeout) */
    public Http2Connection(Duration readyTimeout) {
        this.readyTimeout = readyTimeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        ready = ctx.executor().newPromise();
    }

    void listen(Listener newListener) {
        this.listener = newListener;
    }

    Channel channel() {
        return channel;
    }

    /** Completes when the upstream's first SETTINGS frame arrived; fails with why the connection could not be used. */
    Future<Void> ready() {
        return ready;
    }

    int maxStreams() {
        return maxStreams;
    }

    int active() {
        return active;
    }

    /** Whether another stream may be opened on this connection now. */
    boolean hasRoom() {
        return acceptsStreams() && active < maxStreams;
    }

    /** Ready, open and not going away: it takes new streams (when it has room). */
    boolean acceptsStreams() {
        return ready.isSuccess() && !goingAway && channel.isActive();
    }

    boolean connecting() {
        return !ready.isDone();
    }

    /** Counts a stream as open until {@code stream} closes. */
    void streamOpened(Channel stream) {
        active++;
        if (++opened >= MAX_STREAMS_PER_CONNECTION) {
            goingAway = true;
        }
        stream.closeFuture().addListener(f -> {
            active--;
            if (goingAway && active == 0) {
                channel.close();
            }
            notifyListener();
        });
    }

    /** No new streams from now on; the connection closes once its open streams are done. */
    void retire() {
        goingAway = true;
        if (active == 0) {
            channel.close();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        readyDeadline = ctx.executor().schedule(() -> {
            if (ready.tryFailure(new ConnectTimeoutException("no SETTINGS from the upstream within " + readyTimeout))) {
                ctx.close();
            }
        }, readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2SettingsFrame settings) {
            Long limit = settings.settings().maxConcurrentStreams();
            if (limit != null) {
                maxStreams = (int) Math.min(Integer.MAX_VALUE, limit);
            }
            if (ready.trySuccess(null)) {
                readyDeadline.cancel(false);
            }
            notifyListener();
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof Http2GoAwayFrame) {
            // Streams the upstream still processes finish; the multiplexer tells the others, whose
            // requests may then be sent again: by then this connection takes no new streams.
            retire();
            notifyListener();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (active == 0) {
                // No stream moved for a whole idle timeout: the upstream may close it any moment.
                goingAway = true;
                ctx.close();
            }
            return;
        }
        if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
            fail(ctx, done.cause());
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
        fail(ctx, cause);
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        goingAway = true;
        ready.tryFailure(cause);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        goingAway = true;
        if (readyDeadline != null) {
            readyDeadline.cancel(false);
        }
        ready.tryFailure(new UpstreamStreamException("the upstream closed the connection before its SETTINGS", false));
        notifyListener();
    }

    private void notifyListener() {
        if (listener != null) {
            listener.capacityChanged(this);
        }
    }
}
