package io.mtlsgateway.config;

/** Whether a listener asks for, and insists on, a client certificate. */
public enum ClientAuthMode {
    REQUIRE("require"),
    OPTIONAL("optional"),
    NONE("none");

    private final String yamlName;

    ClientAuthMode(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling used in the route file. */
    public String yamlName() {
        return yamlName;
    }
}
