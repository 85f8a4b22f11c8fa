package io.mtlsgateway.gateway.metrics;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How much of one upstream the gateway holds open right now: its pooled connections (every
 * protocol; from the connect attempt to the close, idle ones included) and the HTTP/2 streams open
 * on them. Counted by whoever sets the connections up, from every event loop, every listener and
 * the pools of a replaced config still finishing their exchanges, so the gauges are the sum.
 */
public final class UpstreamOccupancy {
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger streams = new AtomicInteger();

    /** Counts that no gauge reads (tools and tests that run without metrics). */
    public static UpstreamOccupancy detached() {
        return new UpstreamOccupancy();
    }

    public void connectionOpened() {
        connections.incrementAndGet();
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    public void streamOpened() {
        streams.incrementAndGet();
    }

    public void streamClosed() {
        streams.decrementAndGet();
    }

    int connections() {
        return connections.get();
    }

    int streams() {
        return streams.get();
    }
}
