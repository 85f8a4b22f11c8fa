package io.mtlsgateway.gateway.verify;

import java.util.Map;

/**
 * Which side of a TLS connection a chain is judged for: a client the gateway lets in (a listener's
 * clientCa), or a server the gateway connects to (an upstream's {@code tls.ca}). The checks are
 * the same code; the purpose picks the extended key usage, the profile and the words.
 */
public enum Purpose {
    /** A client certificate presented to a listener. */
    CLIENT("client", "1.3.6.1.5.5.7.3.2", "clientAuth", "clientCa", Map.of()),
    /** A server certificate presented by an upstream. */
    SERVER("server", "1.3.6.1.5.5.7.3.1", "serverAuth", "tls.ca", Map.of(
            RejectionReason.UNTRUSTED,
            "issue the upstream's certificate from a CA in the upstream's tls.ca, or make the upstream send its"
                    + " intermediates",
            RejectionReason.EXPIRED, "renew the upstream's certificate (or the expired CA certificate)",
            RejectionReason.BAD_USAGE,
            "issue a server certificate: not a CA, EKU serverAuth, key usage digitalSignature",
            RejectionReason.NO_CERTIFICATE, "configure the upstream to present its certificate",
            RejectionReason.DEPTH, "shorten the upstream's chain")),
    ;

    private final String peer;
    private final String ekuOid;
    private final String ekuName;
    private final String anchors;
    private final Map<RejectionReason, String> advice;

    Purpose(String peer, String ekuOid, String ekuName, String anchors, Map<RejectionReason, String> advice) {
        this.peer = peer;
        this.ekuOid = ekuOid;
        this.ekuName = ekuName;
        this.anchors = anchors;
        this.advice = advice;
    }

    /** Who presents the chain, as messages say it: {@code client} or {@code server}. */
    public String peer() {
        return peer;
    }

    /** The extended key usage the leaf needs (id-kp-clientAuth or id-kp-serverAuth). */
    String ekuOid() {
        return ekuOid;
    }

    /** That usage's name as RFC 5280 spells it. */
    String ekuName() {
        return ekuName;
    }

    /** Where the trust anchors come from, as messages say it. */
    String anchors() {
        return anchors;
    }

    /** One sentence on what to do about a rejection of this purpose. */
    public String advice(RejectionReason reason) {
        return advice.getOrDefault(reason, reason.advice());
    }
}
