package io.mtlsgateway.gateway.pipeline;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fires an all-idle {@link IdleStateEvent} when nothing was read from or written to a pooled upstream
 * connection for the idle time, as Netty's {@code IdleStateHandler} with only an all-idle time does;
 * the upstream handler closes the connection on it. Unlike that handler it counts a write when it is
 * made rather than hanging a listener on every write's promise to see it done (which also turns a
 * void promise into a real one): that cost was on every request. The exchange writes only while the
 * connection is writable, so the two readings differ by one buffer's draining at most.
 */
final class UpstreamIdleHandler extends ChannelDuplexHandler {
    private final long idleNanos;
    private final Runnable check;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private boolean destroyed;
    /** When the connection last moved: a read's batch ended, or a write was made. */
    private long lastActivity;
    /** A read is under way (its batch not complete): the connection is not idle. */
    private boolean reading;
    /** The next event is the first since the connection last moved. */
    private boolean first = true;

    UpstreamIdleHandler(long idleTime, TimeUnit unit) {
        // As Netty's: no time is no idleness, and under a millisecond is one.
        this.idleNanos = idleTime <= 0 ? 0 : Math.max(unit.toNanos(idleTime), TimeUnit.MILLISECONDS.toNanos(1));
        this.check = this::check;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start();
        }
        ctx.fireChannelRegistered();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        first = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (reading) {
            lastActivity = now();
            reading = false;
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        lastActivity = now();
        first = true;
        ctx.write(msg, promise);
    }

    private void start() {
        if (timer != null || destroyed || idleNanos == 0) {
            return;
        }
        lastActivity = now();
        timer = ctx.executor().schedule(check, idleNanos, TimeUnit.NANOSECONDS);
    }

    private void stop() {
        destroyed = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void check() {
        if (!ctx.channel().isOpen() || destroyed) {
            return;
        }
        long left = reading ? idleNanos : idleNanos - (now() - lastActivity);
        if (left > 0) {
            timer = ctx.executor().schedule(check, left, TimeUnit.NANOSECONDS);
            return;
        }
        timer = ctx.executor().schedule(check, idleNanos, TimeUnit.NANOSECONDS);
        IdleStateEvent event = first ? IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT : IdleStateEvent.ALL_IDLE_STATE_EVENT;
        first = false;
        try {
            ctx.fireUserEventTriggered(event);
        } catch (Throwable t) {
            ctx.fireExceptionCaught(t);
        }
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }
}
