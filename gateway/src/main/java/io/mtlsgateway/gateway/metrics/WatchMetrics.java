package io.mtlsgateway.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the file watcher saw and did: events in the watched folders (about a watched file or not),
 * and the content comparisons that follow a quiet period. Watched-file events that are never
 * followed by a comparison mean a stuck watcher (docs/metrics.md has the alert).
 */
public final class WatchMetrics {
    private final Counter watchedEvents;
    private final Counter ignoredEvents;
    private final Counter overflowEvents;
    private final Counter changed;
    private final Counter unchanged;
    private final AtomicInteger running = new AtomicInteger();

    WatchMetrics(MeterRegistry registry) {
        watchedEvents = event(registry, "watched");
        ignoredEvents = event(registry, "ignored");
        overflowEvents = event(registry, "overflow");
        changed = check(registry, "changed");
        unchanged = check(registry, "unchanged");
        Gauge.builder("mtls.gateway.config.watch.running", running, AtomicInteger::get)
                .description("1 while the file watcher runs; 0 when it is off or stopped (reload with SIGHUP then)")
                .register(registry);
    }

    private static Counter event(MeterRegistry registry, String relevance) {
        return Counter.builder("mtls.gateway.config.watch.events")
                .description("File system events in watched folders: about a watched file (or a link leading to one),"
                        + " about another file (ignored), or lost by the OS (overflow, treated as a change)")
                .tag("relevance", relevance)
                .register(registry);
    }

    private static Counter check(MeterRegistry registry, String result) {
        return Counter.builder("mtls.gateway.config.watch.checks")
                .description("Content comparisons after a quiet period; 'changed' asked for a reload")
                .tag("result", result)
                .register(registry);
    }

    public void watchedEvent() {
        watchedEvents.increment();
    }

    public void ignoredEvent() {
        ignoredEvents.increment();
    }

    public void overflowEvent() {
        overflowEvents.increment();
    }

    public void checked(boolean contentChanged) {
        (contentChanged ? changed : unchanged).increment();
    }

    public void running(boolean isRunning) {
        running.set(isRunning ? 1 : 0);
    }
}
