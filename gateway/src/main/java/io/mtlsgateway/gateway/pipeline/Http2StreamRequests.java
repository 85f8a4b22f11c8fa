package io.mtlsgateway.gateway.pipeline;

import io.netty.handler.codec.http.HttpObject;

/**
 * What serves the request of one h2 stream, told what its stream reads and what becomes of it by
 * the connection's {@code h2-streams} handler; it answers through the stream's {@link Downstream}.
 * All on the connection's event loop.
 */
public interface Http2StreamRequests {
    /** A message of the stream's request (head, body part, end); this takes ownership of it. */
    void read(HttpObject message);

    /** The connection's read that delivered messages of this stream ended. */
    void readComplete();

    void writabilityChanged(boolean writable);

    /** The stream is closed (ended both ways, reset by either side, or the connection is gone). */
    void closed();
}
