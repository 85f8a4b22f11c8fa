package io.mtlsgateway.config;

import java.time.Duration;

/**
 * A listener's limits on client connections, and whether it announces itself in {@code Via}.
 *
 * @param maxHeaderCount request header fields allowed; more get 431
 * @param headerReadTimeout from the first byte of a request until its header block is complete;
 *     slower clients get 408 and are disconnected
 * @param idleTimeout a connection with no request in progress and no traffic for this long is closed
 * @param via whether to add {@code Via: 1.1 mtls-gateway} to forwarded requests and responses
 */
public record HttpSettings(int maxHeaderCount, Duration headerReadTimeout, Duration idleTimeout, boolean via) {
    public static final int DEFAULT_MAX_HEADER_COUNT = 100;
    public static final Duration DEFAULT_HEADER_READ_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

    public HttpSettings {
        if (maxHeaderCount <= 0) {
            throw new IllegalArgumentException("maxHeaderCount: " + maxHeaderCount + " (expected: > 0)");
        }
        Durations.requirePositive("headerReadTimeout", headerReadTimeout);
        Durations.requirePositive("idleTimeout", idleTimeout);
    }

    /** The defaults: 100 headers, 10s to send them, 60s idle, no Via. */
    public static HttpSettings defaults() {
        return new HttpSettings(DEFAULT_MAX_HEADER_COUNT, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT, false);
    }
}
