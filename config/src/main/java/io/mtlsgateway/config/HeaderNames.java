package io.mtlsgateway.config;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The one home of the gateway's rules about header names: which describe a connection, which
 * frame a message, which the gateway sets or strips. The route file validator, the identity-header
 * writer and hop-by-hop handling all read these sets, so they cannot disagree. Names are in
 * canonical form: lower case, {@code _} read as {@code -} (CGI-style upstreams read them as one).
 */
public final class HeaderNames {
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

    /** Headers that describe one connection (RFC 9110 section 7.6.1): removed before any message is relayed. */
    public static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization");

    /**
     * Headers that frame or address a message: never removed because Connection names them. A client
     * listing Content-Length in Connection would otherwise have its body forwarded unframed, and the
     * upstream would read that body as a second request that skipped routing and authorization.
     */
    public static final Set<String> FRAMING = Set.of("content-length", "host", "trailer");

    /** Envoy's client-certificate header; kept or replaced per the listener's xfcc mode. */
    public static final String X_FORWARDED_CLIENT_CERT = "x-forwarded-client-cert";

    /** Headers the gateway sets itself on every forwarded request (XFCC per the xfcc mode). */
    public static final Set<String> SET_BY_GATEWAY = Set.of(X_FORWARDED_CLIENT_CERT, "client-cert",
            "client-cert-chain", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host");

    /**
     * Other claims about the client or the URL that upstreams commonly trust from a proxy: stripped
     * from every request. A client address (RFC 7239 Forwarded, X-Real-IP, True-Client-IP), the
     * outer port and prefix, and the URL-override headers some frameworks (IIS, Symfony) route by,
     * which would let a caller reach a path other than the one the gateway authorized.
     */
    public static final Set<String> OTHER_CLIENT_CLAIMS = Set.of("forwarded", "x-real-ip", "true-client-ip",
            "x-forwarded-port", "x-forwarded-prefix", "x-original-url", "x-rewrite-url");

    /**
     * Fields whose meaning is needed before the content (RFC 9110 section 6.5.1: framing, routing,
     * authentication, request modifiers, how to process the content): a client's copy in request
     * trailers is dropped, since an upstream that merges trailers into the header section would see
     * a Host the gateway did not route on, or an Authorization it did not check.
     */
    public static final Set<String> NEVER_IN_TRAILERS = Set.of("host", "authorization", "proxy-authorization",
            "cookie", "content-length", "content-type", "content-encoding", "content-range", "transfer-encoding",
            "trailer", "connection", "keep-alive", "proxy-connection", "te", "upgrade", "expect", "max-forwards",
            "range", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "if-range",
            "cache-control", "pragma");

    /** The expectation the gateway answers itself (100-continue) and never forwards. */
    public static final String EXPECT = "expect";

    private HeaderNames() {}

    /**
     * Every header that claims who the client is or where it came from: the client's copies are
     * stripped and the gateway's own set, so a route that matched on one would be chosen by a forgery.
     */
    public static Set<String> clientClaims() {
        Set<String> claims = new LinkedHashSet<>(SET_BY_GATEWAY);
        claims.addAll(OTHER_CLIENT_CLAIMS);
        return Set.copyOf(claims);
    }

    /** Whether the header states a claim about the client that only the gateway may make. */
    public static boolean isClientClaim(String name) {
        String canonical = canonical(name);
        return SET_BY_GATEWAY.contains(canonical) || OTHER_CLIENT_CLAIMS.contains(canonical);
    }

    /** Whether {@code name} is an RFC 9110 token: what an HTTP field name or a method may be. */
    public static boolean isToken(CharSequence name) {
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
    public static String canonical(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Why an identity header may not have this name, if it may not: the gateway sets it, relies on
     * it, or it frames or routes the request (overwriting it would desynchronise the upstream's parser).
     */
    public static Optional<String> reservedReason(String name) {
        String canonical = canonical(name);
        if (HOP_BY_HOP.contains(canonical)) {
            return Optional.of("a hop-by-hop header");
        }
        if (FRAMING.contains(canonical) || canonical.equals(EXPECT)) {
            return Optional.of("managed by the gateway");
        }
        if (canonical.equals(X_FORWARDED_CLIENT_CERT)) {
            return Optional.of("set by the xfcc setting");
        }
        if (canonical.equals("client-cert") || canonical.equals("client-cert-chain")) {
            return Optional.of("set by the rfc9440 setting");
        }
        if (SET_BY_GATEWAY.contains(canonical)) {
            return Optional.of("the gateway sets it about the connection");
        }
        if (canonical.equals("forwarded")) {
            return Optional.of("the gateway strips it: it makes claims about the connection");
        }
        return Optional.empty();
    }
}
