package io.mtlsgateway.gateway.proxy;

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

    /**
     * Never removed because Connection names them: they frame or address the message. A client
     * listing Content-Length in Connection would otherwise have its body forwarded unframed, and
     * the upstream would read that body as a second request that skipped routing and authorization.
     */
    private static final Set<String> FRAMING = Set.of("content-length", "host", "trailer");

    private HopByHopHeaders() {}

    static void strip(HttpHeaders headers) {
        List<String> named = new ArrayList<>();
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String name = token.trim();
                if (!name.isEmpty() && !FRAMING.contains(name.toLowerCase(java.util.Locale.ROOT))) {
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
