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
    /** A certificate of the chain is expired or not yet valid. */
    EXPIRED("expired"),
    /** A certificate of the chain is revoked. */
    REVOKED("revoked"),
    /** The client did not finish the handshake in time. */
    TIMEOUT("timeout"),
    /** The client closed the connection during the handshake. */
    CLOSED("closed"),
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
