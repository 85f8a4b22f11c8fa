package io.mtlsgateway.gateway.pipeline;

import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * Fired at an h2 connection by one of its streams when the request stage found the connection over
 * its client's per-identity connection cap: the streams get 429, and the connection is asked to go
 * away (GOAWAY, open streams answered) as an HTTP/1.1 connection is closed after its 429.
 */
public final class Http2ConnectionCap {
    static final Http2ConnectionCap EXCEEDED = new Http2ConnectionCap();

    private Http2ConnectionCap() {}

    /** Asks the connection of {@code stream} to go away; {@code Http2ConnectionGuard} does it. */
    public static void exceeded(Http2StreamChannel stream) {
        stream.parent().pipeline().fireUserEventTriggered(EXCEEDED);
    }
}
