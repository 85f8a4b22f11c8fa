package io.mtlsgateway.config;

import java.time.Duration;

/**
 * Passive ejection: an endpoint that fails {@code consecutiveFailures} requests in a row (connect
 * failure, reset, timeout, malformed response; never an HTTP status the upstream chose) gets no
 * traffic for {@code baseEjection}, doubled on each ejection in a row up to {@code maxEjection}.
 *
 * @param consecutiveFailures failures in a row that eject an endpoint; 0 turns ejection off
 */
public record OutlierDetectionConfig(int consecutiveFailures, Duration baseEjection, Duration maxEjection) {
    public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
    public static final Duration DEFAULT_BASE_EJECTION = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_EJECTION = Duration.ofMinutes(5);

    public OutlierDetectionConfig {
        if (consecutiveFailures < 0) {
            throw new IllegalArgumentException(
                    "consecutiveFailures: " + consecutiveFailures + " (expected: >= 0, 0 turns ejection off)");
        }
        Durations.requirePositive("baseEjection", baseEjection);
        Durations.requirePositive("maxEjection", maxEjection);
        if (maxEjection.compareTo(baseEjection) < 0) {
            throw new IllegalArgumentException("maxEjection: " + maxEjection + " (expected: >= baseEjection "
                    + baseEjection + ")");
        }
    }

    /** The defaults: 5 failures in a row eject for 30s, doubling up to 5m. */
    public static OutlierDetectionConfig defaults() {
        return new OutlierDetectionConfig(DEFAULT_CONSECUTIVE_FAILURES, DEFAULT_BASE_EJECTION, DEFAULT_MAX_EJECTION);
    }

    /** Whether ejection is on. */
    public boolean enabled() {
        return consecutiveFailures > 0;
    }
}
