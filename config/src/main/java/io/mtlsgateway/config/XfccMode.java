package io.mtlsgateway.config;

/**
 * What happens to X-Forwarded-Client-Cert, with Envoy's semantics
 * ({@code forward_client_cert_details}).
 */
public enum XfccMode {
    /** Remove the client's XFCC; send none. */
    SANITIZE("sanitize"),
    /** Remove the client's XFCC; send one describing the verified client. */
    SANITIZE_SET("sanitize-set"),
    /** Keep the client's XFCC and append an element for the verified client. */
    APPEND_FORWARD("append-forward"),
    /** Keep the client's XFCC unchanged; add nothing. */
    FORWARD_ONLY("forward-only");

    private final String yamlName;

    XfccMode(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling used in the route file. */
    public String yamlName() {
        return yamlName;
    }
}
