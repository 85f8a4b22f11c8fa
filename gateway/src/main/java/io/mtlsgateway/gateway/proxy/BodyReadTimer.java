package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.config.HttpSettings;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The request-body timeouts of one client connection: the longest wait for the next body bytes
 * ({@code bodyReadTimeout}, nginx's {@code client_body_timeout}) and, past that much time, a
 * minimum average rate ({@code minBodyRate}, as Apache's {@code mod_reqtimeout MinRate}: every
 * {@code minBodyRate} bytes received earn one more second). Only time the gateway spends asking
 * the client for bytes counts: while it holds the client back (the upstream is slow to take the
 * body, or no upstream connection is free yet) no read is requested and the clock stops, so
 * backpressure is never blamed on the client. One timer at a time; reads only update counters.
 */
final class BodyReadTimer {
    private final long timeoutNanos;
    private final long minRate;
    private final Runnable onTimeout;
    private boolean active;
    private long bytes;
    /** Time spent waiting for the client in reads that ended. */
    private long waitedNanos;
    /** When the current wait for the client began, or -1 when no read is pending. */
    private long waitingSince = -1;
    private ScheduledFuture<?> timer;

    BodyReadTimer(HttpSettings settings, Runnable onTimeout) {
        this.timeoutNanos = settings.bodyReadTimeout().toNanos();
        this.minRate = settings.minBodyRate();
        this.onTimeout = onTimeout;
    }

    /** A request head announced a body. */
    void started() {
        active = true;
        bytes = 0;
        waitedNanos = 0;
        waitingSince = -1;
    }

    /** Body bytes arrived. */
    void read(ChannelHandlerContext ctx, int n) {
        if (active) {
            bytes += n;
            if (waitingSince >= 0) {
                waitedNanos += now(ctx) - waitingSince;
                waitingSince = -1;
            }
        }
    }

    /** The gateway asks the client for more bytes: the clock runs until some arrive. */
    void readRequested(ChannelHandlerContext ctx) {
        if (active && waitingSince < 0) {
            waitingSince = now(ctx);
            if (timer == null) {
                check(ctx);
            }
        }
    }

    /** The body is complete (or the connection is going away). */
    void stop() {
        active = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void check(ChannelHandlerContext ctx) {
        timer = null;
        if (active && !ctx.channel().config().isAutoRead()) {
            // Turning auto-read off cancels the pending read: the gateway holds the client back
            // (since an unknown moment, counted in the client's favour) until it asks again.
            waitingSince = -1;
        }
        if (!active || waitingSince < 0 || !ctx.channel().isActive()) {
            return; // not waiting for the client: the next read request looks again
        }
        long now = now(ctx);
        long idleLeft = waitingSince + timeoutNanos - now;
        long left = idleLeft;
        if (minRate > 0) {
            long used = waitedNanos + (now - waitingSince);
            // Capped so that a huge body cannot overflow the sum.
            long earned = (long) Math.min(Long.MAX_VALUE / 4, bytes * (1_000_000_000.0 / minRate));
            long allowed = timeoutNanos + earned;
            left = Math.min(left, allowed - used);
        }
        if (left <= 0) {
            stop();
            onTimeout.run();
            return;
        }
        timer = ctx.executor().schedule(() -> check(ctx), left, TimeUnit.NANOSECONDS);
    }

    private static long now(ChannelHandlerContext ctx) {
        return ctx.executor().ticker().nanoTime();
    }
}
