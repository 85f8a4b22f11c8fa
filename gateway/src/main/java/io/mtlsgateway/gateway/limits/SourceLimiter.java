package io.mtlsgateway.gateway.limits;

import io.mtlsgateway.config.PenaltyConfig;
import io.mtlsgateway.config.SourceLimits;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-source limits of one listener on one event loop (so no locks): a budget of new
 * handshakes per second, a cap on handshakes in progress, and the penalty box. Asked when a
 * connection is accepted, before TLS starts; told when its handshake ends. Remembers at most
 * {@code maxTracked} sources, forgetting the least recently seen first.
 */
public final class SourceLimiter {
    /** Read by the map as it grows; the latest config's bound (a reload may change it). */
    private int maxTracked = Integer.MAX_VALUE;
    private final Map<SourceKey, Source> sources = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<SourceKey, Source> eldest) {
            // A forgotten source starts afresh: its handshakes in progress still end on their own ticket.
            return size() > maxTracked;
        }
    };

    /** The outcome of {@link #admit}: a handshake to report on, or why the connection is refused. */
    public record Admission(Handshake handshake, LimitReason refused) {
        public boolean admitted() {
            return refused == null;
        }
    }

    /**
     * Whether a new connection from {@code key} may start its handshake.
     *
     * @param maxTracked sources to remember at most on this loop
     */
    public Admission admit(SourceKey key, SourceLimits limits, int maxTracked, long nowNanos) {
        this.maxTracked = maxTracked;
        Source source = sources.computeIfAbsent(key, k -> new Source());
        if (source.boxed) {
            if (nowNanos - source.boxedUntil < 0) {
                return new Admission(null, LimitReason.PENALTY_BOX);
            }
            source.boxed = false;
        }
        if (limits.concurrentHandshakes() > 0 && source.handshaking >= limits.concurrentHandshakes()) {
            return new Admission(null, LimitReason.CONCURRENT_HANDSHAKES);
        }
        int rate = limits.handshakesPerSecond();
        if (rate > 0) {
            if (source.bucket == null) {
                source.bucket = new TokenBucket(rate, nowNanos);
            }
            if (!source.bucket.tryTake(rate, rate, nowNanos)) {
                return new Admission(null, LimitReason.HANDSHAKE_RATE);
            }
        }
        source.handshaking++;
        return new Admission(new Handshake(source, limits), null);
    }

    /** Sources remembered on this loop. */
    public int size() {
        return sources.size();
    }

    /** One admitted handshake; ended exactly once. */
    public static final class Handshake {
        private final Source source;
        private final SourceLimits limits;
        private boolean ended;

        private Handshake(Source source, SourceLimits limits) {
            this.source = source;
            this.limits = limits;
        }

        /**
         * @param success whether the handshake completed
         * @param counts whether a failure counts towards the penalty box (a peer that closed
         *     before sending anything, as TCP health checks do, does not)
         * @return whether this failure put the source in the penalty box
         */
        public boolean ended(boolean success, boolean counts, long nowNanos) {
            if (ended) {
                return false;
            }
            ended = true;
            source.handshaking--;
            if (success) {
                source.failures = 0;
                source.level = 0;
                return false;
            }
            if (!counts || limits.penalty().isEmpty()) {
                return false;
            }
            PenaltyConfig penalty = limits.penalty().get();
            if (++source.failures < penalty.failures()) {
                return false;
            }
            source.failures = 0;
            // Doubling per boxing in a row, bounded: 1 s, 2 s, 4 s ... up to max.
            long box = penalty.base().toNanos() << Math.min(source.level, 30);
            if (box <= 0 || box > penalty.max().toNanos()) {
                box = penalty.max().toNanos();
            }
            source.level++;
            source.boxedUntil = nowNanos + box;
            source.boxed = true;
            return true;
        }
    }

    private static final class Source {
        TokenBucket bucket;
        int handshaking;
        int failures;
        int level;
        boolean boxed;
        long boxedUntil;
    }
}
