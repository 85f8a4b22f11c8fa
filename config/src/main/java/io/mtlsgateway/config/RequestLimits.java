package io.mtlsgateway.config;

/**
 * Limits per verified identity (or for the one bucket of requests without one). Over a limit a
 * request gets 429 with {@code Retry-After}. Each field 0 for no limit.
 *
 * @param requestsPerSecond the token bucket's refill rate
 * @param burst the bucket's size: requests that may come at once after a quiet spell
 * @param connections open connections at once (listener limits only)
 * @param inFlight requests being served at once
 */
public record RequestLimits(int requestsPerSecond, int burst, int connections, int inFlight) {
    public RequestLimits {
        if (requestsPerSecond < 0 || burst < 0 || connections < 0 || inFlight < 0) {
            throw new IllegalArgumentException("requestsPerSecond, burst, connections, inFlight: "
                    + requestsPerSecond + ", " + burst + ", " + connections + ", " + inFlight + " (expected: >= 0)");
        }
        if (burst > 0 && requestsPerSecond == 0) {
            throw new IllegalArgumentException("burst: " + burst + " without requestsPerSecond");
        }
    }
}
