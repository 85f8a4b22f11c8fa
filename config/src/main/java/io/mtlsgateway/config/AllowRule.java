package io.mtlsgateway.config;

import java.util.Objects;

/**
 * One entry of a route's allow list: the caller is allowed when its verified certificate has
 * this property.
 */
public record AllowRule(Kind kind, String value) {

    /** Which certificate property the rule compares. */
    public enum Kind {
        /** The SPIFFE ID, exactly, or a trust domain as {@code spiffe://td/*}. */
        SPIFFE("spiffe"),
        /** The subject DN, compared after RFC 4514 normalisation. */
        SUBJECT("subject"),
        /** A DNS SAN, exactly, or {@code *.example.com}. */
        SAN_DNS("sanDns"),
        /** The SHA-256 fingerprint of the leaf certificate, hex. */
        FINGERPRINT("fingerprint");

        private final String yamlName;

        Kind(String yamlName) {
            this.yamlName = yamlName;
        }

        /** The key used in the route file. */
        public String yamlName() {
            return yamlName;
        }
    }

    public AllowRule {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException(kind.yamlName() + ": blank (expected: a value)");
        }
    }
}
