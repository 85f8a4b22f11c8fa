package io.mtlsgateway.gateway.proxy;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The two clocks an exchange's response head races: the route's response timeout, which counts
 * from the end of the request and starts again on a retry, and a gRPC call's {@code grpc-timeout},
 * which counts from the request's arrival and runs on across retries. Either one ending first is
 * reported with its error: {@link ProxyError#UPSTREAM_TIMEOUT} or {@link ProxyError#DEADLINE_EXCEEDED}.
 */
final class ResponseDeadlines {
    private final EventExecutor executor;
    private final Consumer<ProxyError> expired;
    private final DeadlineTimer clock;
    private final long routeTimeoutNanos;
    private final Runnable routeExpired;
    /** The route's timeout was armed and not cancelled since (it may have run out meanwhile). */
    private boolean routeArmed;
    private ResponseTimeout callDeadline;
    /** When the call's deadline ends, on {@code executor}'s ticker; meaningful only with {@link #callDeadline}. */
    private long callDeadlineAt;

    /**
     * @param clock the connection's response clock, which its exchanges take in turn: moving one
     *     timer costs less than scheduling and cancelling a task for every request
     * @param expired told on {@code executor} which clock ended first
     */
    ResponseDeadlines(EventExecutor executor, DeadlineTimer clock, Duration routeTimeout,
            Consumer<ProxyError> expired) {
        this.executor = executor;
        this.expired = expired;
        this.clock = clock;
        this.routeTimeoutNanos = routeTimeout.toNanos();
        this.routeExpired = () -> expired.accept(ProxyError.UPSTREAM_TIMEOUT);
    }

    /** Starts the call's own deadline, now. */
    void callDeadline(Duration timeout) {
        callDeadlineAt = executor.ticker().nanoTime() + timeout.toNanos();
        callDeadline = new ResponseTimeout(executor, timeout, () -> expired.accept(ProxyError.DEADLINE_EXCEEDED));
        callDeadline.start();
    }

    /**
     * Whether the call's deadline has ended, even if its timer has not run yet. An upstream told the
     * deadline (grpc-java does) gives the call up at that same moment, counted from a little later,
     * and resets its stream: when the loop reads that reset in the turn its timer falls due in, the
     * reset comes first (I/O runs before timers), yet the call ended by its deadline, not by a broken
     * upstream.
     */
    boolean callDeadlinePassed() {
        return callDeadline != null && executor.ticker().nanoTime() - callDeadlineAt >= 0;
    }

    /** The whole request went upstream: the route's timeout starts (unless it already runs). */
    void requestSent() {
        if (!routeArmed) {
            routeArmed = true;
            clock.arm(executor, routeTimeoutNanos, routeExpired);
        }
    }

    /** The request goes to another endpoint: its route timeout starts again once it is sent. */
    void retrying() {
        cancelRouteTimeout();
    }

    /** The response started or the exchange ended: no clock is wanted any more. */
    void cancel() {
        cancelRouteTimeout();
        if (callDeadline != null) {
            callDeadline.cancel();
        }
    }

    private void cancelRouteTimeout() {
        if (routeArmed) {
            routeArmed = false;
            clock.disarm(routeExpired);
        }
    }
}
