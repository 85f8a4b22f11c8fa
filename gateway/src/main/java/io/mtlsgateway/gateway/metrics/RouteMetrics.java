package io.mtlsgateway.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One route's request meters. Status codes are a bounded set (100..599); the codes the gateway
 * itself answers with are registered up front, others on first sight, and every later request
 * costs an array read and an increment.
 */
final class RouteMetrics {
    private static final int[] GATEWAY_CODES = {200, 400, 401, 403, 404, 413, 417, 431, 499, 502, 503, 504};

    private final MeterRegistry registry;
    private final String route;
    private final AtomicReferenceArray<Counter> byCode = new AtomicReferenceArray<>(600);
    /** The same for requests from h2 clients. */
    private final AtomicReferenceArray<Counter> byCodeH2 = new AtomicReferenceArray<>(600);
    private final Timer duration;
    private final Counter denied;
    /** By reason label; a bounded set (JwtRejection), registered on first sight. */
    private final java.util.Map<String, Counter> jwtRejections = new java.util.concurrent.ConcurrentHashMap<>();

    RouteMetrics(MeterRegistry registry, String route) {
        this.registry = registry;
        this.route = route;
        for (int code : GATEWAY_CODES) {
            counter(byCode, "http1", code);
            counter(byCodeH2, "h2", code);
        }
        duration = Timer.builder("mtls.gateway.request.duration")
                .description("Time from a request's head to the end of its response")
                .tag("route", route)
                .serviceLevelObjectives(Buckets.LATENCY)
                .register(registry);
        denied = Counter.builder("mtls.gateway.authz.denied")
                .description("Requests refused with 403 because the client is not allowed on the route")
                .tag("route", route)
                .register(registry);
    }

    /** @param protocol {@code http1} or {@code h2} */
    void record(String protocol, int status, long durationNanos) {
        boolean h2 = "h2".equals(protocol);
        counter(h2 ? byCodeH2 : byCode, h2 ? "h2" : "http1", status).increment();
        duration.record(durationNanos, TimeUnit.NANOSECONDS);
        if (status == 403) {
            denied.increment();
        }
    }

    void jwtRejected(String reason) {
        jwtRejections.computeIfAbsent(reason, r -> Counter.builder("mtls.gateway.jwt.rejections")
                .description("Requests refused for their bearer token, by reason")
                .tag("route", route)
                .tag("reason", r)
                .register(registry)).increment();
    }

    private Counter counter(AtomicReferenceArray<Counter> byCode, String protocol, int status) {
        int code = status >= 100 && status < 600 ? status : 499;
        Counter counter = byCode.get(code);
        if (counter == null) {
            // Micrometer returns the already registered meter on a race, so both threads agree.
            counter = Counter.builder("mtls.gateway.requests")
                    .description("Requests by route and the status code answered")
                    .tag("route", route)
                    .tag("code", Integer.toString(code))
                    .tag("protocol", protocol)
                    .register(registry);
            byCode.set(code, counter);
        }
        return counter;
    }
}
