package io.mtlsgateway.config;

/**
 * Whether a route needs a client certificate on a connection whose TLS policy is
 * {@code clientAuth: optional} (where the handshake may finish without one).
 */
public enum ClientCertRequirement {
    /** No certificate: 403 {@code client_certificate_required}, never forwarded. */
    REQUIRED("required"),
    /** Public route: served with or without a certificate. */
    OPTIONAL("optional");

    private final String yamlName;

    ClientCertRequirement(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling used in the route file. */
    public String yamlName() {
        return yamlName;
    }
}
