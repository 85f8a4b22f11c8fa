package io.mtlsgateway.config;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Which header names a route file may use for identity headers and route matches. */
final class HeaderNames {
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

    // Lower case, '_' read as '-' (the gateway strips CGI-style spellings as the same header).
    private static final Map<String, String> RESERVED = Map.ofEntries(
            Map.entry("connection", "a hop-by-hop header"),
            Map.entry("keep-alive", "a hop-by-hop header"),
            Map.entry("proxy-connection", "a hop-by-hop header"),
            Map.entry("te", "a hop-by-hop header"),
            Map.entry("trailer", "a hop-by-hop header"),
            Map.entry("transfer-encoding", "a hop-by-hop header"),
            Map.entry("upgrade", "a hop-by-hop header"),
            Map.entry("proxy-authenticate", "a hop-by-hop header"),
            Map.entry("proxy-authorization", "a hop-by-hop header"),
            Map.entry("host", "managed by the gateway"),
            Map.entry("content-length", "managed by the gateway"),
            Map.entry("x-forwarded-client-cert", "set by the xfcc setting"),
            Map.entry("client-cert", "set by the rfc9440 setting"),
            Map.entry("client-cert-chain", "set by the rfc9440 setting"));

    /**
     * Headers that claim who the client is or where it came from: the gateway strips the client's
     * copies and sets its own, so a route that matched on them would be chosen by a forgery.
     */
    private static final Set<String> CLIENT_CLAIMS = Set.of(
            "x-forwarded-client-cert", "client-cert", "client-cert-chain", "x-forwarded-for",
            "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-forwarded-prefix", "forwarded",
            "x-real-ip", "true-client-ip");

    private HeaderNames() {}

    /** Whether the header states a claim about the client that only the gateway may make. */
    static boolean isClientClaim(String name) {
        return CLIENT_CLAIMS.contains(canonical(name));
    }

    /** Whether {@code name} is an HTTP field name (an RFC 9110 token). */
    static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean alphaNumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alphaNumeric && TCHAR_SYMBOLS.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** The form two names share when the gateway treats them as one header. */
    static String canonical(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Why an identity header may not have this name, if it may not. */
    static Optional<String> reservedReason(String name) {
        return Optional.ofNullable(RESERVED.get(canonical(name)));
    }
}
