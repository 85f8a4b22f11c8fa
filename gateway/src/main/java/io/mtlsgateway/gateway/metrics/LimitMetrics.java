package io.mtlsgateway.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mtlsgateway.gateway.limits.LimitReason;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;

/**
 * One listener's limit meters: connections and requests refused by reason, and how many sources
 * and identities the limiters remember (their memory, bounded by {@code maxTracked}).
 */
public final class LimitMetrics {
    /** What a limiter keeps state about: the {@code tier} label of the entries gauge. */
    public enum Tier {
        SOURCE, IDENTITY;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Map<LimitReason, Counter> refused = new EnumMap<>(LimitReason.class);
    private final Map<Tier, List<IntSupplier>> sizes = new EnumMap<>(Tier.class);

    LimitMetrics(MeterRegistry registry, String listener) {
        for (LimitReason reason : LimitReason.values()) {
            refused.put(reason, Counter.builder("mtls.gateway.limited")
                    .description("Connections and requests refused by a limit, by bounded reason")
                    .tag("listener", listener)
                    .tag("reason", reason.label())
                    .register(registry));
        }
        for (Tier tier : Tier.values()) {
            List<IntSupplier> parts = new CopyOnWriteArrayList<>();
            sizes.put(tier, parts);
            Gauge.builder("mtls.gateway.limit.entries", parts, LimitMetrics::sum)
                    .description("Sources or identities whose limit state is kept, over every event loop")
                    .tag("listener", listener)
                    .tag("tier", tier.label())
                    .register(registry);
        }
    }

    private static double sum(List<IntSupplier> parts) {
        long total = 0;
        for (IntSupplier part : parts) {
            total += part.getAsInt(); // a size read from another thread: a moment's estimate
        }
        return total;
    }

    public void refused(LimitReason reason) {
        refused.get(reason).increment();
    }

    /** Adds one limiter's size (one per event loop) to the entries gauge. */
    public void track(Tier tier, IntSupplier size) {
        sizes.get(tier).add(size);
    }
}
