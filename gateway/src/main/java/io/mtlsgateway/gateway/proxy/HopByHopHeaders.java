package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.config.HeaderNames;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Removes the headers that describe one connection rather than the message (RFC 9110 section
 * 7.6.1), including every header the Connection header names except those that frame the message
 * ({@link HeaderNames#FRAMING}), before a message is relayed.
 */
final class HopByHopHeaders {
    /** As AsciiStrings, whose hash Netty's headers reuse: this runs on every request and response. */
    private static final AsciiString[] HOP_BY_HOP = HeaderNames.HOP_BY_HOP.stream()
            .map(AsciiString::cached).toArray(AsciiString[]::new);

    private HopByHopHeaders() {}

    static void strip(HttpHeaders headers) {
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
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
        }
        for (AsciiString name : HOP_BY_HOP) {
            headers.remove(name);
        }
    }
}
