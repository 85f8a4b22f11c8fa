package io.mtlsgateway.gateway.metrics;

import io.mtlsgateway.gateway.upstream.ExchangeObserver;
import io.mtlsgateway.gateway.upstream.RequestRecord;
import java.util.function.Consumer;

/**
 * Counts every finished request into its route's meters and its upstream's error counters, then
 * passes it on to the access log. Runs on the event loop: array reads and increments only.
 */
public final class RequestObserver implements ExchangeObserver {
    private final GatewayMetrics metrics;
    private final Consumer<RequestRecord> accessLog;

    /** @param accessLog receives each finished request; must not block */
    public RequestObserver(GatewayMetrics metrics, Consumer<RequestRecord> accessLog) {
        this.metrics = metrics;
        this.accessLog = accessLog;
    }

    @Override
    public void requestFinished(RequestRecord request) {
        metrics.route(request.route().orElse(GatewayMetrics.NO_ROUTE)).record(request.status(), request.durationNanos());
        request.upstreamError().ifPresent(code ->
                metrics.upstream(request.upstream().orElse("unknown")).record(code));
        accessLog.accept(request);
    }

    @Override
    public void xfccTrimmed(String listener) {
        metrics.listener(listener).xfccTrimmed();
    }
}
