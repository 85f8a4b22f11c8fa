package io.mtlsgateway.config;

/**
 * Whether a token must be bound to the client certificate of the connection that carries it
 * (RFC 8705 section 3, the {@code cnf.x5t#S256} claim).
 */
public enum CertificateBinding {
    /** A token without the claim, or with one that names another certificate, is refused. */
    REQUIRED("required"),
    /** The claim is checked when the token has it; a token without it is accepted. */
    IF_PRESENT("if-present"),
    /** The claim is not looked at. */
    OFF("off");

    private final String yamlName;

    CertificateBinding(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling used in the route file. */
    public String yamlName() {
        return yamlName;
    }
}
