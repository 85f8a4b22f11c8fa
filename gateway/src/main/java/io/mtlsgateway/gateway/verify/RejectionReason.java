package io.mtlsgateway.gateway.verify;

/**
 * Why a certificate was refused (a client's, or an upstream's with {@link Purpose#SERVER}): a bounded set, safe as a metric label, each with the TLS
 * alert the client receives (DESIGN.md "Alerts") and what an operator should do about it.
 */
public enum RejectionReason {
    NO_CERTIFICATE("no_certificate", "certificate_required",
            "configure the client to present a certificate (curl: --cert and --key)"),
    UNTRUSTED("untrusted", "unknown_ca",
            "issue the client certificate from a CA in clientCa, or make the client send its intermediates"),
    EXPIRED("expired", "certificate_expired", "renew the client certificate (or the expired CA certificate)"),
    NOT_YET_VALID("not_yet_valid", "certificate_expired",
            "check the clocks of the CA and this host; the certificate is not valid yet"),
    REVOKED("revoked", "certificate_revoked", "the certificate was revoked on purpose: issue a new one"),
    REVOCATION_UNKNOWN("revocation_unknown", "bad_certificate",
            "the revocation status could not be established: check the OCSP responder or the CRL's issuer"),
    CRL_EXPIRED("crl_expired", "certificate_expired",
            "publish a fresh CRL (for the dev CA: mtls-gateway pki crl) before its nextUpdate passes"),
    BAD_USAGE("bad_usage", "unsupported_certificate",
            "issue a client certificate: not a CA, EKU clientAuth (or none), key usage digitalSignature"),
    CONSTRAINTS("constraints", "bad_certificate",
            "the chain breaks a CA's basic, path length or name constraints: issue it within them"),
    WEAK_KEY("weak_key", "unsupported_certificate",
            "re-issue with ECDSA P-256 or RSA-2048 (or stronger) and a SHA-256 (or stronger) signature"),
    MALFORMED("malformed", "bad_certificate",
            "the certificate cannot be processed: re-issue it with standard extensions only"),
    DEPTH("depth", "bad_certificate",
            "shorten the chain, or raise the listener's verifyDepth if the extra intermediates are intended"),
    /** Server purpose only: the certificate is not for the name the gateway connected to. */
    NAME_MISMATCH("name_mismatch", "bad_certificate",
            "issue the upstream a certificate with the name in a DNS (or IP) subjectAltName, or set the"
                    + " upstream's tls.serverName to a name it has"),
    /** Server purpose only: none of the upstream's configured identity pins matches. */
    PIN_MISMATCH("pin_mismatch", "bad_certificate",
            "the upstream presented another identity than its tls.verify pins allow: check the pins and the"
                    + " upstream's certificate");

    private final String label;
    private final String alert;
    private final String advice;

    RejectionReason(String label, String alert, String advice) {
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
