package io.mtlsgateway.gateway.upstream;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Removes the headers that describe one connection rather than the message (RFC 9110 section
 * 7.6.1), including every header the Connection header names, before a message is relayed.
 */
final class HopByHopHeaders {
    private static final Set<CharSequence> ALWAYS = Set.of(
            HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.PROXY_CONNECTION,
            HttpHeaderNames.TE, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
            HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION);

    private HopByHopHeaders() {}

    static void strip(HttpHeaders headers) {
        List<String> named = new ArrayList<>();
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String name = token.trim();
                if (!name.isEmpty()) {
                    named.add(name);
                }
            }
        }
        for (String name : named) {
            headers.remove(name);
        }
        for (CharSequence name : ALWAYS) {
            headers.remove(name);
        }
    }
}
