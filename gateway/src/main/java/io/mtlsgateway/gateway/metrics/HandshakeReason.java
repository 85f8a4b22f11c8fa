package io.mtlsgateway.gateway.metrics;

/**
 * Why a handshake ended as it did: the {@code reason} label of {@code mtls_gateway_handshakes_total}.
 * A fixed set, so every series can be registered up front and no peer input becomes a label.
 */
public enum HandshakeReason {
    /** The handshake succeeded (outcome {@code success}). */
    NONE("none"),
    /** The client sent no certificate where one is required. */
    NO_CERTIFICATE("no_certificate"),
    /** The chain does not lead to a configured trust anchor. */
    UNTRUSTED("untrusted"),
    /** A certificate of the chain is expired. */
    EXPIRED("expired"),
    /** A certificate of the chain is not valid yet. */
    NOT_YET_VALID("not_yet_valid"),
    /** A certificate of the chain is revoked. */
    REVOKED("revoked"),
    /** OCSP could not say whether the certificate is revoked (hard-fail). */
    REVOCATION_UNKNOWN("revocation_unknown"),
    /** The CRL for an issuer in the chain is past its next update. */
    CRL_EXPIRED("crl_expired"),
    /** Key usage or extended key usage does not allow client authentication. */
    BAD_USAGE("bad_usage"),
    /** Basic, path-length or name constraints are violated. */
    CONSTRAINTS("constraints"),
    /** A key or signature algorithm is too weak. */
    WEAK_KEY("weak_key"),
    /** A certificate cannot be parsed or has an unknown critical extension. */
    MALFORMED("malformed"),
    /** The chain is longer than verifyDepth allows. */
    DEPTH("depth"),
    /** Upstream connections only: the server certificate is not for the name connected to. */
    NAME_MISMATCH("name_mismatch"),
    /** Upstream connections only: the server certificate matches none of the identity pins. */
    PIN_MISMATCH("pin_mismatch"),
    /** The client did not finish the handshake in time. */
    TIMEOUT("timeout"),
    /** The client closed the connection during the handshake. */
    CLOSED("closed"),
    /**
     * The ClientHello named a server (SNI) that no host entry of the listener has, or named none,
     * and the listener has no default entry: refused with {@code unrecognized_name}.
     */
    UNKNOWN_SNI("unknown_sni"),
    /** Not TLS, or no protocol version or cipher in common. */
    PROTOCOL("protocol"),
    /** Anything else. */
    OTHER("other");

    private final String label;

    HandshakeReason(String label) {
        this.label = label;
    }

    /** The label value, as exported. */
    public String label() {
        return label;
    }
}
