package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.ConnectionHeader;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** The response heads relayed to the client: the upstream's, less what described its connection. */
final class RelayedResponses {
    private RelayedResponses() {}

    /**
     * Takes over {@code response}'s headers (rewritten in place rather than copied, as this runs for
     * every response; the upstream's head is not used once the relayed one exists).
     *
     * @param chunked frame the body with chunked coding (the upstream gave no length)
     * @param clientVersion the version of the client's request: an HTTP/1.0 client is told when its connection stays
     * @param close the connection closes after this response
     */
    static HttpResponse head(HttpResponse response, boolean via, boolean chunked, HttpVersion clientVersion,
            boolean close) {
        HttpHeaders headers = response.headers();
        HopByHopHeaders.strip(headers);
        if (via) {
            headers.add(HttpHeaderNames.VIA, ForwardedRequest.VIA);
        }
        HttpResponse relayed = new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), headers);
        if (chunked) {
            HttpUtil.setTransferEncodingChunked(relayed, true);
        }
        ConnectionHeader.set(relayed.headers(), clientVersion, close);
        return relayed;
    }

    /** A 101 with the protocol it names: the one hop-by-hop exchange the gateway relays. */
    static HttpResponse switchingProtocols(HttpResponse response, boolean via) {
        HttpHeaders headers = response.headers().copy();
        String protocol = headers.get(HttpHeaderNames.UPGRADE);
        HopByHopHeaders.strip(headers);
        if (protocol != null) {
            headers.set(HttpHeaderNames.UPGRADE, protocol);
        }
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        if (via) {
            headers.add(HttpHeaderNames.VIA, ForwardedRequest.VIA);
        }
        return new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), headers);
    }
}
