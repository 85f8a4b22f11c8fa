package io.mtlsgateway.gateway.proxy;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How long the upstream may take to start its response. It counts from the end of the request (as
 * Envoy's does): a long upload is not the upstream being slow to answer.
 */
final class ResponseTimeout {
    private final EventExecutor executor;
    private final Duration timeout;
    private final Runnable expired;
    private ScheduledFuture<?> scheduled;

    /** @param expired run on {@code executor} when the time is up */
    ResponseTimeout(EventExecutor executor, Duration timeout, Runnable expired) {
        this.executor = executor;
        this.timeout = timeout;
        this.expired = expired;
    }

    /** Starts counting, unless it already does. */
    void start() {
        if (scheduled == null) {
            scheduled = executor.schedule(expired, timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    void cancel() {
        if (scheduled != null) {
            scheduled.cancel(false);
            scheduled = null;
        }
    }
}
