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
    private final ResponseTimeout routeTimeout;
    private ResponseTimeout callDeadline;

    /** @param expired told on {@code executor} which clock ended first */
    ResponseDeadlines(EventExecutor executor, Duration routeTimeout, Consumer<ProxyError> expired) {
        this.executor = executor;
        this.expired = expired;
        this.routeTimeout = new ResponseTimeout(executor, routeTimeout,
                () -> expired.accept(ProxyError.UPSTREAM_TIMEOUT));
    }

    /** Starts the call's own deadline, now. */
    void callDeadline(Duration timeout) {
        callDeadline = new ResponseTimeout(executor, timeout, () -> expired.accept(ProxyError.DEADLINE_EXCEEDED));
        callDeadline.start();
    }

    /** The whole request went upstream: the route's timeout starts (unless it already runs). */
    void requestSent() {
        routeTimeout.start();
    }

    /** The request goes to another endpoint: its route timeout starts again once it is sent. */
    void retrying() {
        routeTimeout.cancel();
    }

    /** The response started or the exchange ended: no clock is wanted any more. */
    void cancel() {
        routeTimeout.cancel();
        if (callDeadline != null) {
            callDeadline.cancel();
        }
    }
}
