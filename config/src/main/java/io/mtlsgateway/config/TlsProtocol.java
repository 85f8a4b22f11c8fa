package io.mtlsgateway.config;

/** The TLS versions a listener may offer; older ones are not representable on purpose. */
public enum TlsProtocol {
    TLS_1_3("TLSv1.3"),
    TLS_1_2("TLSv1.2");

    private final String jsseName;

    TlsProtocol(String jsseName) {
        this.jsseName = jsseName;
    }

    /** The JSSE/Netty protocol name, also the spelling in the route file. */
    public String jsseName() {
        return jsseName;
    }
}
