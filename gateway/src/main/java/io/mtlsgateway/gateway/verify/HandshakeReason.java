package io.mtlsgateway.gateway.verify;

/**
 * Why a handshake ended as it did: the one list behind the verifier's rejections (a client's
 * certificate, or an upstream's with {@link Purpose#SERVER}), the TLS alert the client receives
 * (DESIGN.md "Alerts"), the {@code reason} label of {@code mtls_gateway_handshakes_total}, the
 * handshake-failure log and {@code mtls-gateway verify}. A fixed set, so every series can be
 * registered up front and no peer input becomes a label.
 */
public enum HandshakeReason {
    /** The handshake succeeded (outcome {@code success}). */
    NONE("none", "none", "nothing to do"),
    /** The client sent no certificate where one is required. */
    NO_CERTIFICATE("no_certificate", "certificate_required",
            "configure the client to present a certificate (curl: --cert and --key)"),
    /** The chain does not lead to a configured trust anchor. */
    UNTRUSTED("untrusted", "unknown_ca",
            "issue the client certificate from a CA in clientCa, or make the client send its intermediates"),
    /** A certificate of the chain is expired. */
    EXPIRED("expired", "certificate_expired", "renew the client certificate (or the expired CA certificate)"),
    /** A certificate of the chain is not valid yet. */
    NOT_YET_VALID("not_yet_valid", "certificate_expired",
            "check the clocks of the CA and this host; the certificate is not valid yet"),
    /** A certificate of the chain is revoked. */
    REVOKED("revoked", "certificate_revoked", "the certificate was revoked on purpose: issue a new one"),
    /** OCSP could not say whether the certificate is revoked (hard-fail). */
    REVOCATION_UNKNOWN("revocation_unknown", "bad_certificate",
            "the revocation status could not be established: check the OCSP responder or the CRL's issuer"),
    /** The CRL for an issuer in the chain is past its next update. */
    CRL_EXPIRED("crl_expired", "certificate_expired",
            "publish a fresh CRL (for the dev CA: mtls-gateway pki crl) before its nextUpdate passes"),
    /** Key usage or extended key usage does not allow client authentication. */
    BAD_USAGE("bad_usage", "unsupported_certificate",
            "issue a client certificate: not a CA, EKU clientAuth (or none), key usage digitalSignature"),
    /** Basic, path-length or name constraints are violated. */
    CONSTRAINTS("constraints", "bad_certificate",
            "the chain breaks a CA's basic, path length or name constraints: issue it within them"),
    /** A key or signature algorithm is too weak. */
    WEAK_KEY("weak_key", "unsupported_certificate",
            "re-issue with ECDSA P-256 or RSA-2048 (or stronger) and a SHA-256 (or stronger) signature"),
    /** A certificate cannot be parsed or has an unknown critical extension. */
    MALFORMED("malformed", "bad_certificate",
            "the certificate cannot be processed: re-issue it with standard extensions only"),
    /** The chain is longer than verifyDepth allows. */
    DEPTH("depth", "bad_certificate",
            "shorten the chain, or raise the listener's verifyDepth if the extra intermediates are intended"),
    /** Server purpose only: the certificate is not for the name the gateway connected to. */
    NAME_MISMATCH("name_mismatch", "bad_certificate",
            "issue the upstream a certificate with the name in a DNS (or IP) subjectAltName, or set the"
                    + " upstream's tls.serverName to a name it has"),
    /** Server purpose only: none of the upstream's configured identity pins matches. */
    PIN_MISMATCH("pin_mismatch", "bad_certificate",
            "the upstream presented another identity than its tls.verify pins allow: check the pins and the"
                    + " upstream's certificate"),
    /**
     * The ClientHello named a server (SNI) that no host entry of the listener has, or named none,
     * and the listener has no default entry: refused with {@code unrecognized_name}.
     */
    UNKNOWN_SNI("unknown_sni", "unrecognized_name",
            "connect with a server name a host entry of the listener lists, or give the listener a default entry"),
    /**
     * The handshake did not finish in time. The time counts the gateway's own verification too, so
     * this is the client's delay only when the gateway's verification was not pending (the log says).
     */
    TIMEOUT("timeout", "none", "the handshake ran out of time: if the log line says the gateway's own verification"
            + " was still pending, the gateway is overloaded (or an OCSP responder slow); otherwise the client or"
            + " its network path stalled"),
    /** The client closed the connection during the handshake. */
    CLOSED("closed", "none", "usually a TCP health check or a port scan; nothing to do"),
    /** Not TLS, or no protocol version or cipher in common. */
    PROTOCOL("protocol", "protocol_version or handshake_failure", "offer TLS 1.2 or 1.3 with an AEAD cipher suite"),
    /** Anything else. */
    OTHER("other", "depends on the cause", "see the handshake-failure log line for the cause");

    private final String label;
    private final String alert;
    private final String advice;

    HandshakeReason(String label, String alert, String advice) {
        this.label = label;
        this.alert = alert;
        this.advice = advice;
    }

    /** The name in logs, metrics and the {@code verify} command, e.g. {@code crl_expired}. */
    public String label() {
        return label;
    }

    /** The TLS alert description the client receives, e.g. {@code unknown_ca}. */
    public String alert() {
        return alert;
    }

    /** One sentence on what to do. */
    public String advice() {
        return advice;
    }
}
