package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.config.Http2Limits;
import io.mtlsgateway.gateway.metrics.Http2Metrics;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * When an h2 connection has lived long enough and is asked to go away of its own accord: at its
 * maximum age, once it has carried its maximum number of requests, or when it has had no open
 * stream for the listener's idle timeout. Keeps the count of its streams for that (and for the
 * open-streams gauge). A connection over its client's connection cap is also asked to go away
 * when it opens no stream in time. Everything runs on the connection's event loop.
 */
final class Http2ConnectionLifetime {
    private final Http2Limits limits;
    private final Duration idleTimeout;
    private final Http2Metrics metrics;
    private EventExecutor executor;
    private Consumer<GoAwayReason> goAway;
    private ScheduledFuture<?> ageTimer;
    /** The one scheduled idle check, if any: not moved per stream (see {@link #armIdleTimer}). */
    private ScheduledFuture<?> idleTimer;
    /** When the connection last had no open stream, on the executor's clock. */
    private long idleSince;
    private long streams;
    private int openStreams;
    /** The connection is going away (or gone): no clock is started again. */
    private boolean over;

    /** @param idleTimeout a connection without open streams for this long is asked to go away */
    Http2ConnectionLifetime(Http2Limits limits, Duration idleTimeout, Http2Metrics metrics) {
        this.limits = limits;
        this.idleTimeout = idleTimeout;
        this.metrics = metrics;
    }

    /** The connection starts: its age counts from now, and so does its first idle time. */
    void start(EventExecutor loop, Consumer<GoAwayReason> goAwayWith) {
        this.executor = loop;
        this.goAway = goAwayWith;
        ageTimer = loop.schedule(() -> goAway.accept(GoAwayReason.MAX_AGE),
                limits.maxConnectionAge().toMillis(), TimeUnit.MILLISECONDS);
        idleSince = loop.ticker().nanoTime();
        armIdleTimer();
    }

    /**
     * A connection that must open a stream within {@code timeout} or go away (one over its client's
     * connection cap, where the first stream is answered 429): called once, after {@link #start}.
     */
    void firstStreamWithin(Duration timeout, GoAwayReason reason) {
        executor.schedule(() -> {
            if (!over && streams == 0) {
                goAway.accept(reason);
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** A client stream was opened: the connection's request count grows. */
    void streamOpened() {
        streams++;
        openStreams++;
        metrics.streamOpened();
        if (streams >= limits.maxRequestsPerConnection()) {
            // This stream is still served: the GOAWAY names it as the last one.
            goAway.accept(GoAwayReason.MAX_REQUESTS);
        }
    }

    /** A stream opened with {@link #streamOpened} closed. */
    void streamClosed() {
        metrics.streamClosed();
        if (--openStreams == 0) {
            idleSince = executor.ticker().nanoTime();
            armIdleTimer();
        }
    }

    /** The connection goes away (for whatever reason) or closed: its clocks stop for good. */
    void stop() {
        over = true;
        cancelIdleTimer();
        if (ageTimer != null) {
            ageTimer.cancel(false);
            ageTimer = null;
        }
    }

    /**
     * Makes sure one idle check is scheduled. A stream opening leaves it in place and the check
     * looks again: with one stream at a time, cancelling a timer as each stream opened and
     * scheduling another as it closed was two trips through the scheduler per request.
     */
    private void armIdleTimer() {
        if (!over && idleTimer == null) {
            idleTimer = executor.schedule(this::checkIdle, idleTimeout.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Goes away after the idle timeout without open streams; else checks again when it could be due. */
    private void checkIdle() {
        idleTimer = null;
        if (over || openStreams > 0) {
            return; // the last stream to close arms the next check
        }
        long left = idleTimeout.toNanos() - (executor.ticker().nanoTime() - idleSince);
        if (left <= 0) {
            goAway.accept(GoAwayReason.IDLE);
        } else {
            idleTimer = executor.schedule(this::checkIdle, left, TimeUnit.NANOSECONDS);
        }
    }

    private void cancelIdleTimer() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }
}
