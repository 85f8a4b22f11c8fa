package io.mtlsgateway.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * Who a request comes from, for the upstream pool's {@code safe} reuse (an upstream connection that
 * just answered one client connection goes straight back to that client only): the client's TCP
 * connection. An h2 stream is a child channel of its connection, and a new one per request; keyed by
 * the stream, no stream could ever take the connection the previous stream just gave back, so every
 * request would wait out the quarantine or open a connection, and the pool would fill with hundreds
 * of quarantined connections scanned on every request.
 */
final class ClientConnection {
    private ClientConnection() {}

    /** The connection {@code downstream} belongs to: itself, or an h2 stream's parent. */
    static Channel of(Channel downstream) {
        return downstream instanceof Http2StreamChannel stream ? stream.parent() : downstream;
    }
}
