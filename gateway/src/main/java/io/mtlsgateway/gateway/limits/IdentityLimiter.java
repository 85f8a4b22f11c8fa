package io.mtlsgateway.gateway.limits;

import io.mtlsgateway.config.RequestLimits;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request rate, open connections and requests in flight per client key (SPIFFE ID or
 * fingerprint) for one scope (a listener, or one route). Shared by every event loop, since one
 * client's connections are spread over them, and lock-free: the rate is a GCRA token bucket in
 * one atomic long, the counts are atomic integers. An entry is forgotten only once forgetting it
 * changes nothing (no connection, nothing in flight, bucket full); a sweep for such entries runs
 * when the table outgrows {@code maxTracked}, at most once a second.
 */
public final class IdentityLimiter {
    private static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep = new AtomicLong();

    /** The state of one client key. */
    public static final class Entry {
        /** GCRA's theoretical arrival time: the bucket is full when it is not after now. */
        private final AtomicLong tat = new AtomicLong(Long.MIN_VALUE / 2);
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicInteger inFlight = new AtomicInteger();

        /** Counts a new connection, unless that makes more than the cap. */
        public boolean tryConnect(RequestLimits limits) {
            if (limits.connections() == 0) {
                return true;
            }
            if (connections.incrementAndGet() > limits.connections()) {
                connections.decrementAndGet();
                return false;
            }
            return true;
        }

        /** A connection counted by {@link #tryConnect} closed. */
        public void disconnected(RequestLimits limits) {
            if (limits.connections() > 0) {
                connections.decrementAndGet();
            }
        }

        /**
         * Takes a request in, unless it is over the in-flight cap or the rate.
         *
         * @return 0 when admitted; otherwise the seconds after which a retry may succeed (at
         *     least 1), negative for the in-flight cap
         */
        public long tryRequest(RequestLimits limits, long nowNanos) {
            if (limits.inFlight() > 0 && inFlight.incrementAndGet() > limits.inFlight()) {
                inFlight.decrementAndGet();
                return -1;
            }
            long wait = limits.requestsPerSecond() == 0 ? 0 : takeToken(limits, nowNanos);
            if (wait > 0 && limits.inFlight() > 0) {
                inFlight.decrementAndGet();
            }
            return wait;
        }

        /** A request taken in by {@link #tryRequest} is done. */
        public void requestDone(RequestLimits limits) {
            if (limits.inFlight() > 0) {
                inFlight.decrementAndGet();
            }
        }

        private long takeToken(RequestLimits limits, long now) {
            long interval = 1_000_000_000L / limits.requestsPerSecond();
            long tolerance = interval * (Math.max(1, limits.burst()) - 1);
            while (true) {
                long old = tat.get();
                long start = Math.max(old, now);
                if (start - now > tolerance) {
                    long nanos = start - tolerance - now;
                    return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
                }
                if (tat.compareAndSet(old, start + interval)) {
                    return 0;
                }
            }
        }

        boolean idle(long now) {
            return connections.get() == 0 && inFlight.get() == 0 && tat.get() - now <= 0;
        }
    }

    /** The entry of {@code key}, made on first use. */
    public Entry entry(String key, int maxTracked, long nowNanos) {
        Entry entry = entries.computeIfAbsent(key, k -> new Entry());
        if (entries.size() > maxTracked) {
            sweep(nowNanos);
        }
        return entry;
    }

    private void sweep(long now) {
        long last = lastSweep.get();
        if (now - last < SWEEP_INTERVAL_NANOS && last != 0 || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        entries.entrySet().removeIf(e -> e.getValue().idle(now));
    }

    /** Keys remembered. */
    public int size() {
        return entries.size();
    }
}
