package io.mtlsgateway.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One upstream's error counters, one per bounded kind, registered up front. */
final class UpstreamMetrics {
    /** The kind counted for a label outside the registered set (there should be none). */
    private static final String OTHER = "other";

    private final Map<String, Counter> byKind = new LinkedHashMap<>();

    UpstreamMetrics(MeterRegistry registry, String upstream, List<String> kinds) {
        for (String kind : kinds) {
            byKind.put(kind, Counter.builder("mtls.gateway.upstream.errors")
                    .description("Requests the upstream could not answer, by kind")
                    .tag("upstream", upstream)
                    .tag("kind", kind)
                    .register(registry));
        }
        byKind.computeIfAbsent(OTHER, kind -> Counter.builder("mtls.gateway.upstream.errors")
                .description("Requests the upstream could not answer, by kind")
                .tag("upstream", upstream)
                .tag("kind", kind)
                .register(registry));
    }

    void record(String kind) {
        byKind.getOrDefault(kind, byKind.get(OTHER)).increment();
    }
}
