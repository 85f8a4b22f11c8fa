package io.mtlsgateway.gateway;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The {@code Connection} field of a response to an HTTP/1.x client, one rule for every answer the
 * gateway writes (relayed, its own errors, the admin endpoint). An HTTP/1.1 connection persists
 * unless a side says {@code close}; an HTTP/1.0 one only when the response says {@code keep-alive}
 * (RFC 9112 section 9.3 and appendix C.2.2): without it a 1.0 client that asked to keep the connection
 * takes it as closing, and one that frames by the close waits for an end that never comes.
 */
public final class ConnectionHeader {
    private ConnectionHeader() {}

    /**
     * @param clientVersion the version of the request being answered (the response itself is HTTP/1.1)
     * @param close whether the connection closes after this response
     */
    public static void set(HttpHeaders headers, HttpVersion clientVersion, boolean close) {
        if (close) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!clientVersion.isKeepAliveDefault()) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }
}
