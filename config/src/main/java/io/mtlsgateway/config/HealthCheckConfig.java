package io.mtlsgateway.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Active health checking of an upstream's endpoints: GET {@code path} every {@code interval}; a
 * 2xx answer within {@code timeout} passes. An endpoint that fails {@code unhealthyThreshold}
 * checks in a row gets no traffic until it passes {@code healthyThreshold} in a row.
 */
public record HealthCheckConfig(
        String path, Duration interval, Duration timeout, int unhealthyThreshold, int healthyThreshold) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_UNHEALTHY_THRESHOLD = 2;
    public static final int DEFAULT_HEALTHY_THRESHOLD = 1;

    public HealthCheckConfig {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path: " + path + " (expected: starts with /)");
        }
        Durations.requirePositive("interval", interval);
        Durations.requirePositive("timeout", timeout);
        if (unhealthyThreshold <= 0) {
            throw new IllegalArgumentException("unhealthyThreshold: " + unhealthyThreshold + " (expected: > 0)");
        }
        if (healthyThreshold <= 0) {
            throw new IllegalArgumentException("healthyThreshold: " + healthyThreshold + " (expected: > 0)");
        }
    }

    /** A check with the default timeout and thresholds. */
    public HealthCheckConfig(String path, Duration interval) {
        this(path, interval, DEFAULT_TIMEOUT, DEFAULT_UNHEALTHY_THRESHOLD, DEFAULT_HEALTHY_THRESHOLD);
    }
}
