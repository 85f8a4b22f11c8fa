package io.mtlsgateway.gateway.proxy;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Every answer the gateway gives in place of the upstream's: the status, the stable code in the
 * JSON body and the access log, and for upstream failures the {@code kind} label of
 * {@code mtls_gateway_upstream_errors_total}. One list, so a status, a code and a label can never
 * drift apart.
 */
public enum ProxyError {
    REQUEST_LINE_TOO_LONG(414, "request_line_too_long"),
    HEADERS_TOO_LARGE(431, "headers_too_large"),
    HEADER_READ_TIMEOUT(408, "header_read_timeout"),
    BODY_READ_TIMEOUT(408, "body_read_timeout"),
    TOO_MANY_HEADERS(431, "too_many_headers"),
    MALFORMED_REQUEST(400, "malformed_request"),
    HTTP_VERSION_NOT_SUPPORTED(505, "http_version_not_supported"),
    METHOD_NOT_ALLOWED(405, "method_not_allowed"),
    METHOD_NOT_IMPLEMENTED(501, "method_not_implemented"),
    UNSUPPORTED_TRANSFER_ENCODING(501, "unsupported_transfer_encoding"),
    /**
     * A protocol switch (WebSocket) routed to an h2c or h2 upstream: HTTP/2 has no Upgrade, and
     * the gateway does not translate it to an extended CONNECT (RFC 8441). Refused before any
     * connection to the upstream, rather than forwarded as a plain request the client cannot use.
     */
    UPGRADE_NOT_SUPPORTED(501, "upgrade_not_supported"),
    BAD_HOST(400, "bad_host"),
    BAD_REQUEST_TARGET(400, "bad_request_target"),
    BAD_PATH(400, "bad_path"),
    /** A header that a route matches on, sent more than once. */
    AMBIGUOUS_HEADER(400, "ambiguous_header"),
    EXPECTATION_FAILED(417, "expectation_failed"),
    NO_ROUTE(404, "no_route"),
    FORBIDDEN(403, "forbidden"),
    /** A route that needs a client certificate, on a connection whose client sent none. */
    CLIENT_CERTIFICATE_REQUIRED(403, "client_certificate_required"),
    /** The Host belongs to another host entry (or none) than the one the connection's SNI selected. */
    MISDIRECTED_REQUEST(421, "misdirected_request"),
    TOO_MANY_REQUESTS(429, "too_many_requests"),
    /** No bearer token on a route that requires one (RFC 6750: a bare challenge). */
    TOKEN_MISSING(401, "token_missing"),
    /** The bearer token is not valid here: expired, another audience, bound to another certificate, ... */
    TOKEN_INVALID(401, "invalid_token"),
    /** A valid token whose claims the route does not allow. */
    TOKEN_INSUFFICIENT(403, "insufficient_scope"),
    UPSTREAM_OVERLOADED(503, "upstream_overloaded", "overloaded"),
    UPSTREAM_CONNECT_TIMEOUT(504, "upstream_connect_timeout", "connect_timeout"),
    UPSTREAM_UNAVAILABLE(502, "upstream_unavailable", "unavailable"),
    UPSTREAM_PROTOCOL_ERROR(502, "upstream_protocol_error", "protocol_error"),
    UPSTREAM_UNEXPECTED_UPGRADE(502, "unexpected_upgrade", "unexpected_upgrade"),
    UPSTREAM_RESET(502, "upstream_reset", "reset"),
    UPSTREAM_IDLE(504, "upstream_idle", "idle"),
    UPSTREAM_TIMEOUT(504, "upstream_timeout", "timeout"),
    /** A gRPC call's {@code grpc-timeout} passed before the upstream's response head came. */
    DEADLINE_EXCEEDED(504, "deadline_exceeded", "deadline"),
    /** A gRPC call whose {@code grpc-timeout} is not of the protocol's grammar, or repeated. */
    INVALID_GRPC_TIMEOUT(400, "invalid_grpc_timeout"),
    // The upstream's certificate failed verification (by reason), or the handshake failed
    // otherwise (the upstream refused the gateway, no protocol in common): never retried unverified.
    UPSTREAM_TLS_UNTRUSTED(502, "upstream_tls_untrusted", "tls_untrusted"),
    UPSTREAM_TLS_EXPIRED(502, "upstream_tls_expired", "tls_expired"),
    UPSTREAM_TLS_NOT_YET_VALID(502, "upstream_tls_not_yet_valid", "tls_not_yet_valid"),
    UPSTREAM_TLS_REVOKED(502, "upstream_tls_revoked", "tls_revoked"),
    UPSTREAM_TLS_CRL_EXPIRED(502, "upstream_tls_crl_expired", "tls_crl_expired"),
    UPSTREAM_TLS_BAD_USAGE(502, "upstream_tls_bad_usage", "tls_bad_usage"),
    UPSTREAM_TLS_CONSTRAINTS(502, "upstream_tls_constraints", "tls_constraints"),
    UPSTREAM_TLS_WEAK_KEY(502, "upstream_tls_weak_key", "tls_weak_key"),
    UPSTREAM_TLS_MALFORMED(502, "upstream_tls_malformed", "tls_malformed"),
    UPSTREAM_TLS_DEPTH(502, "upstream_tls_depth", "tls_depth"),
    UPSTREAM_TLS_NAME_MISMATCH(502, "upstream_tls_name_mismatch", "tls_name_mismatch"),
    UPSTREAM_TLS_PIN_MISMATCH(502, "upstream_tls_pin_mismatch", "tls_pin_mismatch"),
    UPSTREAM_TLS_HANDSHAKE(502, "upstream_tls_handshake", "tls_handshake"),
    /** A {@code protocol: h2} upstream did not choose h2 in ALPN: nothing was sent. */
    UPSTREAM_TLS_NO_H2(502, "upstream_tls_no_h2", "tls_no_h2");

    private final int status;
    private final String code;
    private final String upstreamKind;

    ProxyError(int status, String code) {
        this(status, code, null);
    }

    ProxyError(int status, String code, String upstreamKind) {
        this.status = status;
        this.code = code;
        this.upstreamKind = upstreamKind;
    }

    /** The HTTP status the client receives. */
    public int status() {
        return status;
    }

    /** The machine-readable code of the JSON body, such as {@code no_route}. */
    public String code() {
        return code;
    }

    /** The upstream-error kind label; empty for errors the client or the config caused. */
    public Optional<String> upstreamKind() {
        return Optional.ofNullable(upstreamKind);
    }

    /** Whether the upstream (not the client or the config) caused this error. */
    public boolean upstream() {
        return upstreamKind != null;
    }

    /** Every upstream-error kind label: the series registered up front. */
    public static List<String> upstreamKinds() {
        return Arrays.stream(values()).map(e -> e.upstreamKind).filter(Objects::nonNull).toList();
    }
}
