package io.mtlsgateway.config;

/** The HTTP version the gateway speaks to an upstream's endpoints. */
public enum UpstreamProtocol {
    /** HTTP/1.1, over plain TCP or the upstream's {@code tls}. */
    HTTP1("http1"),
    /** HTTP/2 over plain TCP with prior knowledge (RFC 9113 section 3.3): no TLS, no upgrade dance. */
    H2C("h2c"),
    /** HTTP/2 over the upstream's {@code tls}, negotiated with ALPN {@code h2}. */
    H2("h2");

    private final String yamlName;

    UpstreamProtocol(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling used in the route file. */
    public String yamlName() {
        return yamlName;
    }

    /** Whether the connection carries HTTP/2 (many requests at once, each on its own stream). */
    public boolean multiplexed() {
        return this != HTTP1;
    }
}
