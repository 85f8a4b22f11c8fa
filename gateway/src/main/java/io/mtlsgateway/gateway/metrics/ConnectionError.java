package io.mtlsgateway.gateway.metrics;

/**
 * Why an open downstream connection ended in an error: the {@code kind} label of
 * {@code mtls_gateway_connection_errors_total}. A fixed set, registered up front.
 */
public enum ConnectionError {
    /** The network failed: reset by the peer, broken pipe. */
    IO("io"),
    /** A TLS record could not be read or written after the handshake. */
    TLS("tls"),
    /** A codec could not decode what the peer sent. */
    DECODER("decoder"),
    /** Anything else: a bug, reported loudly. */
    OTHER("other");

    private final String label;

    ConnectionError(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
