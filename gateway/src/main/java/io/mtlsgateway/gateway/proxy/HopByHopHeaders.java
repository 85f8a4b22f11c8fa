package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.config.HeaderNames;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
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
            // getAll is a copy, so the named headers can go while it is read.
            for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
                removeNamed(headers, value);
            }
        }
        for (AsciiString name : HOP_BY_HOP) {
            headers.remove(name);
        }
    }

    /**
     * Removes the headers one Connection value names. Scanned by hand rather than split: nearly every
     * upstream response says {@code Connection: keep-alive}, a name the fixed list removes anyway.
     */
    private static void removeNamed(HttpHeaders headers, String value) {
        int start = 0;
        while (start <= value.length()) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? value.length() : comma;
            String name = value.substring(start, end).trim();
            if (!name.isEmpty()) {
                String lower = name.toLowerCase(Locale.ROOT);
                if (!HeaderNames.FRAMING.contains(lower) && !HeaderNames.HOP_BY_HOP.contains(lower)) {
                    headers.remove(name);
                }
            }
            start = end + 1;
        }
    }
}
