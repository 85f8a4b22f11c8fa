package io.mtlsgateway.config;

/** The HTTP versions a listener may offer in ALPN, spelled as their ALPN identifiers. */
public enum ApplicationProtocol {
    H2("h2"),
    HTTP_1_1("http/1.1");

    private final String alpnName;

    ApplicationProtocol(String alpnName) {
        this.alpnName = alpnName;
    }

    /** The ALPN protocol identifier (RFC 7301), also the spelling in the route file. */
    public String alpnName() {
        return alpnName;
    }
}
