package io.mtlsgateway.config;

import java.time.Duration;

/**
 * The penalty box: a source block whose last {@code failures} handshakes all failed (a connection
 * closed before any TLS byte does not count: TCP health checks) is refused for {@code base},
 * doubled each time it is boxed again without a successful handshake in between, up to {@code max}.
 */
public record PenaltyConfig(int failures, Duration base, Duration max) {
    public static final int DEFAULT_FAILURES = 10;
    public static final Duration DEFAULT_BASE = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX = Duration.ofMinutes(5);

    public PenaltyConfig {
        if (failures <= 0) {
            throw new IllegalArgumentException("failures: " + failures + " (expected: > 0)");
        }
        Durations.requirePositive("base", base);
        Durations.requirePositive("max", max);
        if (max.compareTo(base) < 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= base " + base + ")");
        }
    }
}
