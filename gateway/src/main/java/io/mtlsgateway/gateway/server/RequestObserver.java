package io.mtlsgateway.gateway.server;

import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import io.mtlsgateway.gateway.proxy.ExchangeObserver;
import io.mtlsgateway.gateway.proxy.ProxyError;
import io.mtlsgateway.gateway.proxy.RequestRecord;
import java.util.function.Consumer;

/**
 * Counts every finished request into its route's meters and its upstream's error counters, then
 * passes it on to the access log. Runs on the event loop: array reads and increments only.
 */
final class RequestObserver implements ExchangeObserver {
    private final GatewayMetrics metrics;
    private final Consumer<RequestRecord> accessLog;

    /** @param accessLog receives each finished request; must not block */
    RequestObserver(GatewayMetrics metrics, Consumer<RequestRecord> accessLog) {
        this.metrics = metrics;
        this.accessLog = accessLog;
    }

    @Override
    public void requestFinished(RequestRecord request) {
        metrics.requestFinished(request.route().orElse(GatewayMetrics.NO_ROUTE), request.protocol(),
                request.status(), request.durationNanos());
        request.host().ifPresent(host -> metrics.listener(request.listener()).hostRequest(host, request.status()));
        request.tokenRefusal().ifPresent(reason ->
                metrics.jwtRejected(request.route().orElse(GatewayMetrics.NO_ROUTE), reason.label()));
        request.upstreamError().flatMap(ProxyError::upstreamKind).ifPresent(kind ->
                metrics.upstreamError(request.upstream().orElse("unknown"), kind));
        accessLog.accept(request);
    }

    @Override
    public void tunnelClosed(String listener, String reason) {
        metrics.tunnels(listener).closed(reason);
    }

    @Override
    public void xfccTrimmed(String listener) {
        metrics.listener(listener).xfccTrimmed();
    }
}
