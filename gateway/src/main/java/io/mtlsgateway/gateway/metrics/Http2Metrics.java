package io.mtlsgateway.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One listener's h2 meters: open streams, GOAWAY frames the gateway sent and stream errors it
 * answered with RST_STREAM, each by a bounded reason (the gateway's own reasons, or the h2 error
 * code name).
 */
public final class Http2Metrics {
    private final MeterRegistry registry;
    private final String listener;
    private final AtomicInteger activeStreams = new AtomicInteger();
    private final Map<String, Counter> goAways = new ConcurrentHashMap<>();
    private final Map<String, Counter> resets = new ConcurrentHashMap<>();

    Http2Metrics(MeterRegistry registry, String listener) {
        this.registry = registry;
        this.listener = listener;
        Gauge.builder("mtls.gateway.h2.streams.active", activeStreams, AtomicInteger::get)
                .description("Open h2 streams from clients")
                .tag("listener", listener)
                .register(registry);
    }

    public void streamOpened() {
        activeStreams.incrementAndGet();
    }

    public void streamClosed() {
        activeStreams.decrementAndGet();
    }

    /** @param reason a bounded label: one of the gateway's reasons or an h2 error code name */
    public void goAwaySent(String reason) {
        counter(goAways, "mtls.gateway.h2.goaway", "GOAWAY frames sent to clients, by reason", reason).increment();
    }

    /** @param code the h2 error code name of the stream error */
    public void streamReset(String code) {
        counter(resets, "mtls.gateway.h2.resets", "Client streams the gateway reset, by h2 error code", code)
                .increment();
    }

    private Counter counter(Map<String, Counter> counters, String name, String description, String reason) {
        String label = reason.toLowerCase(Locale.ROOT);
        return counters.computeIfAbsent(label, r -> Counter.builder(name)
                .description(description)
                .tag("listener", listener)
                .tag("reason", r)
                .register(registry));
    }
}
