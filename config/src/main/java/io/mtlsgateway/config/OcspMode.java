package io.mtlsgateway.config;

/** How OCSP answers for client certificates affect the handshake. */
public enum OcspMode {
    OFF("off"),
    SOFT_FAIL("soft-fail"),
    HARD_FAIL("hard-fail");

    private final String yamlName;

    OcspMode(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling used in the route file. */
    public String yamlName() {
        return yamlName;
    }
}
