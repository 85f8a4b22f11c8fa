package io.mtlsgateway.gateway.limits;

/** A token bucket: {@code capacity} tokens, refilled at {@code perSecond}; not thread-safe (one event loop). */
final class TokenBucket {
    private double tokens;
    private long lastNanos;

    TokenBucket(double capacity, long nowNanos) {
        this.tokens = capacity;
        this.lastNanos = nowNanos;
    }

    /** Takes one token if there is one. */
    boolean tryTake(double perSecond, double capacity, long nowNanos) {
        refill(perSecond, capacity, nowNanos);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    private void refill(double perSecond, double capacity, long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * perSecond / 1e9);
            lastNanos = nowNanos;
        }
    }
}
