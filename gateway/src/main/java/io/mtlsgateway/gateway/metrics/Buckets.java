package io.mtlsgateway.gateway.metrics;

import java.time.Duration;

/**
 * The explicit histogram buckets. Fixed service-level boundaries instead of percentile
 * histograms: a dozen series per histogram rather than about seventy, and aggregatable.
 */
final class Buckets {
    /** Latency boundaries from 1 ms to 10 s. */
    static final Duration[] LATENCY = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10)
    };

    /** Remaining client-certificate validity, in seconds: 1, 7, 14, 30, 60, 90, 180 and 365 days. */
    static final double[] VALIDITY_SECONDS = {
        days(1), days(7), days(14), days(30), days(60), days(90), days(180), days(365)
    };

    private Buckets() {}

    private static double days(int days) {
        return Duration.ofDays(days).toSeconds();
    }
}
