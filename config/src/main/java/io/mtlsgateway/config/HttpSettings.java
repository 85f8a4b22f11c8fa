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
 * @param bodyReadTimeout the longest wait for the next bytes of a request body the gateway is
 *     reading (nginx's {@code client_body_timeout}); also the grace before {@code minBodyRate} applies
 * @param minBodyRate bytes per second a request body must average once it has taken longer than
 *     {@code bodyReadTimeout}; 0 for no minimum
 */
public record HttpSettings(int maxHeaderCount, Duration headerReadTimeout, Duration idleTimeout, boolean via,
        Duration bodyReadTimeout, int minBodyRate) {
    public static final int DEFAULT_MAX_HEADER_COUNT = 100;
    public static final Duration DEFAULT_HEADER_READ_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_BODY_READ_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MIN_BODY_RATE = 500;

    public HttpSettings {
        if (maxHeaderCount <= 0) {
            throw new IllegalArgumentException("maxHeaderCount: " + maxHeaderCount + " (expected: > 0)");
        }
        Durations.requirePositive("headerReadTimeout", headerReadTimeout);
        Durations.requirePositive("idleTimeout", idleTimeout);
        Durations.requirePositive("bodyReadTimeout", bodyReadTimeout);
        if (minBodyRate < 0) {
            throw new IllegalArgumentException("minBodyRate: " + minBodyRate + " (expected: >= 0)");
        }
    }

    /** These limits with the default request-body timeout and rate. */
    public HttpSettings(int maxHeaderCount, Duration headerReadTimeout, Duration idleTimeout, boolean via) {
        this(maxHeaderCount, headerReadTimeout, idleTimeout, via, DEFAULT_BODY_READ_TIMEOUT, DEFAULT_MIN_BODY_RATE);
    }

    /** The defaults: 100 headers, 10s to send them, 60s idle, no Via, 60s between body bytes, 500 B/s. */
    public static HttpSettings defaults() {
        return new HttpSettings(DEFAULT_MAX_HEADER_COUNT, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT, false);
    }
}
