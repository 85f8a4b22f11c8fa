package io.mtlsgateway.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One upstream's error counters, one per bounded kind, registered up front; and, for an upstream
 * with TLS, when its material expires (roles {@code upstream_client}, {@code upstream_ca},
 * {@code upstream_crl}); and how many connections and h2 streams it holds open.
 */
final class UpstreamMetrics {
    /** The kind counted for a label outside the registered set (there should be none). */
    private static final String OTHER = "other";

    private final Map<String, Counter> byKind = new LinkedHashMap<>();
    private final Map<String, Gauge> expiry = new LinkedHashMap<>();
    private final Map<String, Double> expiryValues = new java.util.concurrent.ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final String upstream;
    private final UpstreamOccupancy occupancy = new UpstreamOccupancy();

    UpstreamMetrics(MeterRegistry registry, String upstream, List<String> kinds) {
        this.registry = registry;
        this.upstream = upstream;
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
        Gauge.builder("mtls.gateway.upstream.connections.active", occupancy, UpstreamOccupancy::connections)
                .description("Open pooled connections to the upstream's endpoints, idle ones included")
                .tag("upstream", upstream)
                .register(registry);
        Gauge.builder("mtls.gateway.upstream.h2.streams.active", occupancy, UpstreamOccupancy::streams)
                .description("Open HTTP/2 streams on connections to the upstream (h2c and h2 upstreams)")
                .tag("upstream", upstream)
                .register(registry);
    }

    UpstreamOccupancy occupancy() {
        return occupancy;
    }

    void record(String kind) {
        byKind.getOrDefault(kind, byKind.get(OTHER)).increment();
    }

    /** Publishes (or, for an empty value, removes) each role's expiry; on every (re)load. */
    synchronized void certificates(Optional<Instant> client, Optional<Instant> ca, Optional<Instant> crl) {
        expiry("upstream_client", client);
        expiry("upstream_ca", ca);
        expiry("upstream_crl", crl);
    }

    private void expiry(String role, Optional<Instant> when) {
        if (when.isEmpty()) {
            Gauge gone = expiry.remove(role);
            if (gone != null) {
                registry.remove(gone);
            }
            return;
        }
        expiryValues.put(role, (double) when.get().getEpochSecond());
        expiry.computeIfAbsent(role, r -> Gauge.builder("mtls.gateway.certificate.expiry.timestamp",
                        () -> expiryValues.getOrDefault(r, Double.NaN))
                .description("Unix time when the earliest certificate (or CRL, nextUpdate) of this role expires")
                .baseUnit("seconds")
                .tag("listener", "")
                .tag("role", r)
                .tag("upstream", upstream)
                .strongReference(true)
                .register(registry));
    }
}
