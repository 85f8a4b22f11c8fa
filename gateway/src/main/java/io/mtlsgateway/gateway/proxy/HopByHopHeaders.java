package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.config.HeaderNames;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Removes the headers that describe one connection rather than the message (RFC 9110 section
 * 7.6.1), including every header the Connection header names except those that frame the message
 * ({@link HeaderNames#FRAMING}), before a message is relayed.
 */
final class HopByHopHeaders {
    private HopByHopHeaders() {}

    static void strip(HttpHeaders headers) {
        List<String> named = new ArrayList<>();
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String name = token.trim();
                if (!name.isEmpty() && !HeaderNames.FRAMING.contains(name.toLowerCase(Locale.ROOT))) {
                    named.add(name);
                }
            }
        }
        for (String name : named) {
            headers.remove(name);
        }
        for (String name : HeaderNames.HOP_BY_HOP) {
            headers.remove(name);
        }
    }
}
