package io.mtlsgateway.config;

import java.time.Duration;

/**
 * A listener's limits on HTTP/2 client connections. Reaching the age or the request count ends
 * the connection gracefully (GOAWAY, open streams finish); the others refuse what exceeds them.
 *
 * @param maxConcurrentStreams streams a client may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS)
 * @param maxHeaderListSize bytes of one decoded header block (SETTINGS_MAX_HEADER_LIST_SIZE)
 * @param maxConnectionAge after this long a connection is asked to go away
 * @param maxRequestsPerConnection after this many streams a connection is asked to go away
 */
public record Http2Limits(int maxConcurrentStreams, int maxHeaderListSize, Duration maxConnectionAge,
        int maxRequestsPerConnection) {
    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
    public static final int DEFAULT_MAX_HEADER_LIST_SIZE = 16 * 1024;
    public static final Duration DEFAULT_MAX_CONNECTION_AGE = Duration.ofHours(1);
    public static final int DEFAULT_MAX_REQUESTS_PER_CONNECTION = 1000;

    public Http2Limits {
        if (maxConcurrentStreams <= 0) {
            throw new IllegalArgumentException("maxConcurrentStreams: " + maxConcurrentStreams + " (expected: > 0)");
        }
        if (maxHeaderListSize < 1024) {
            throw new IllegalArgumentException("maxHeaderListSize: " + maxHeaderListSize + " (expected: >= 1024)");
        }
        Durations.requirePositive("maxConnectionAge", maxConnectionAge);
        if (maxRequestsPerConnection <= 0) {
            throw new IllegalArgumentException(
                    "maxRequestsPerConnection: " + maxRequestsPerConnection + " (expected: > 0)");
        }
    }

    /** The defaults: 100 streams, 16 KiB of headers, 1 hour, 1000 requests (nginx's age and count). */
    public static Http2Limits defaults() {
        return new Http2Limits(DEFAULT_MAX_CONCURRENT_STREAMS, DEFAULT_MAX_HEADER_LIST_SIZE,
                DEFAULT_MAX_CONNECTION_AGE, DEFAULT_MAX_REQUESTS_PER_CONNECTION);
    }
}
