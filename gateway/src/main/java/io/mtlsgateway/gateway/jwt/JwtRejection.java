package io.mtlsgateway.gateway.jwt;

/**
 * Why a request's token was refused: a bounded set, used as a metric label and in the one log line
 * per refusal. Each maps to the RFC 6750 answer the client gets.
 */
public enum JwtRejection {
    /** No token on a route that requires one: 401 with a bare {@code Bearer} challenge. */
    MISSING("missing", "no bearer token"),
    /** Not a signed JWT the gateway can read (JWE, bad encoding, over the size cap, no exp, wrong typ). */
    MALFORMED("malformed", "the token is malformed"),
    /** The signature does not verify, or uses an algorithm not allowed for this issuer. */
    BAD_SIGNATURE("bad_signature", "the token signature is invalid"),
    /** The token names a key the issuer's key set does not have. */
    UNKNOWN_KEY("unknown_key", "the token is signed with an unknown key"),
    EXPIRED("expired", "the token expired"),
    NOT_YET_VALID("not_yet_valid", "the token is not valid yet"),
    WRONG_ISSUER("wrong_issuer", "the token is from another issuer"),
    WRONG_AUDIENCE("wrong_audience", "the token is for another audience"),
    /** The issuer requires certificate-bound tokens and this one carries no {@code cnf.x5t#S256}. */
    UNBOUND("unbound", "the token is not bound to a certificate"),
    /** The token is bound to another certificate than the one this connection proved. */
    BINDING_MISMATCH("binding_mismatch", "the token is bound to another certificate"),
    /** A valid token whose claims meet none of the route's {@code allowClaims}: 403. */
    CLAIMS_DENIED("claims_denied", "the token does not grant access to this resource"),
    /** The issuer's keys could not be had (never fetched, or stale for too long). */
    JWKS_UNAVAILABLE("jwks_unavailable", "the token cannot be verified now");

    private final String label;
    private final String description;

    JwtRejection(String label, String description) {
        this.label = label;
        this.description = description;
    }

    /** The metric label and log spelling. */
    public String label() {
        return label;
    }

    /**
     * The RFC 6750 {@code error_description}: fixed text, so nothing from the token is echoed.
     */
    public String description() {
        return description;
    }

    /** 401 for every reason but {@link #CLAIMS_DENIED}, which is 403 (RFC 6750 section 3.1). */
    public int status() {
        return this == CLAIMS_DENIED ? 403 : 401;
    }

    /**
     * The RFC 6750 {@code error} code, or null for {@link #MISSING} (a request without
     * credentials gets a challenge without an error code, section 3.1).
     */
    public String errorCode() {
        return switch (this) {
            case MISSING -> null;
            case CLAIMS_DENIED -> "insufficient_scope";
            default -> "invalid_token";
        };
    }
}
