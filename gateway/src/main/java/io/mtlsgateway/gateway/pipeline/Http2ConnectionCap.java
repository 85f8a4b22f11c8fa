package io.mtlsgateway.gateway.pipeline;

/**
 * Fired at an h2 connection by one of its streams ({@link Http2ServerStream#connectionCapExceeded})
 * when the request stage found the connection over its client's per-identity connection cap: the
 * streams get 429, and the connection is asked to go away (GOAWAY, open streams answered) as an
 * HTTP/1.1 connection is closed after its 429. {@code Http2ConnectionGuard} does it.
 */
final class Http2ConnectionCap {
    static final Http2ConnectionCap EXCEEDED = new Http2ConnectionCap();

    private Http2ConnectionCap() {}
}
