package io.mtlsgateway.config;

import java.time.Duration;
import java.util.Objects;

/** Active health checking of an upstream's endpoints: GET {@code path} every {@code interval}. */
public record HealthCheckConfig(String path, Duration interval) {
    public HealthCheckConfig {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path: " + path + " (expected: starts with /)");
        }
        Durations.requirePositive("interval", interval);
    }
}
