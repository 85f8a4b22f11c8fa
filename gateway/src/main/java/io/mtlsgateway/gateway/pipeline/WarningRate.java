package io.mtlsgateway.gateway.pipeline;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * At most one WARNING per kind a second, for log lines anyone who can connect may cause as often as
 * they connect: the first of a kind and the first after a second are warnings, the ones between are
 * demoted (logged at FINE by the caller) and counted into the next warning. Safe to share between
 * event loops.
 */
final class WarningRate<K extends Enum<K>> {
    /** At most one warning per kind in this time. */
    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LongSupplier nanoTime;
    /** One window per kind, made up front: the map is never written after construction. */
    private final Map<K, Window> windows;

    /** Guarded by itself. */
    private static final class Window {
        boolean warnedOnce;
        long lastWarnedNanos;
        long demoted;
    }

    /** @param nanoTime the clock, nanoseconds as {@link System#nanoTime()} */
    WarningRate(Class<K> kinds, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.windows = new EnumMap<>(kinds);
        for (K kind : kinds.getEnumConstants()) {
            windows.put(kind, new Window());
        }
    }

    /**
     * Counts one line of {@code kind}: -1 when it is to be demoted, otherwise how many were demoted
     * since the last warning of this kind (to be said in this one).
     */
    long admit(K kind) {
        Window window = windows.get(kind);
        synchronized (window) {
            long now = nanoTime.getAsLong();
            if (window.warnedOnce && now - window.lastWarnedNanos < INTERVAL_NANOS) {
                window.demoted++;
                return -1;
            }
            long demoted = window.demoted;
            window.demoted = 0;
            window.lastWarnedNanos = now;
            window.warnedOnce = true;
            return demoted;
        }
    }
}
