package io.mtlsgateway.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One upstream's error counters, one per bounded kind, registered up front. */
final class UpstreamMetrics {
    /** Every kind; an error code outside this list counts as {@code other}. */
    static final List<String> KINDS = List.of("unavailable", "connect_timeout", "timeout", "reset", "overloaded",
            "protocol_error", "idle", "unexpected_upgrade", "other");

    private final Map<String, Counter> byKind = new LinkedHashMap<>();

    UpstreamMetrics(MeterRegistry registry, String upstream) {
        for (String kind : KINDS) {
            byKind.put(kind, Counter.builder("mtls.gateway.upstream.errors")
                    .description("Requests the upstream could not answer, by kind")
                    .tag("upstream", upstream)
                    .tag("kind", kind)
                    .register(registry));
        }
    }

    /** @param code the gateway's error code, such as {@code upstream_timeout} */
    void record(String code) {
        String kind = code.startsWith("upstream_") ? code.substring("upstream_".length()) : code;
        byKind.getOrDefault(kind, byKind.get("other")).increment();
    }
}
