package io.mtlsgateway.gateway.pipeline;

import java.util.concurrent.TimeUnit;

/**
 * Counts the PING and SETTINGS frames an h2 client sends in fixed windows. Netty bounds only the
 * answers a client leaves unread; a client that reads them could otherwise keep the gateway busy
 * answering frames that carry no request. One connection's, touched only from its event loop.
 */
final class ControlFrameRate {
    static final int MAX_PER_WINDOW = 100;
    static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

    private long windowStart;
    private int frames;

    ControlFrameRate(long nowNanos) {
        this.windowStart = nowNanos;
    }

    /** One more frame at {@code nowNanos}; true when it is over the limit. */
    boolean exceeded(long nowNanos) {
        if (nowNanos - windowStart > WINDOW_NANOS) {
            windowStart = nowNanos;
            frames = 0;
        }
        return ++frames > MAX_PER_WINDOW;
    }
}
