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

    /** Seconds until a token is there (at least 1: what Retry-After can say). */
    long secondsUntilToken(double perSecond) {
        return Math.max(1, (long) Math.ceil((1 - tokens) / perSecond));
    }

    /** Whether the bucket is full, so forgetting it changes nothing. */
    boolean full(double perSecond, double capacity, long nowNanos) {
        refill(perSecond, capacity, nowNanos);
        return tokens >= capacity;
    }

    private void refill(double perSecond, double capacity, long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * perSecond / 1e9);
            lastNanos = nowNanos;
        }
    }
}
