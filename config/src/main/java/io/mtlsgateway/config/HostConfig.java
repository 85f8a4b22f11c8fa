package io.mtlsgateway.config;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One entry of a listener's {@code hosts}: the server names it answers for and the TLS policy
 * (server certificate, client CA, CRLs, OCSP mode, verifyDepth) the SNI of a ClientHello selects.
 *
 * @param names exact names ({@code api.example.com}) or one-label wildcards ({@code *.example.com}),
 *     lower case, in file order; the first is the entry's label in logs and metrics
 */
public record HostConfig(List<String> names, TlsConfig tls) {
    public HostConfig {
        names = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
        if (names.isEmpty()) {
            throw new IllegalArgumentException("names: empty (expected: at least one server name)");
        }
        for (String name : names) {
            if (!isValidName(name)) {
                throw new IllegalArgumentException("names: " + name
                        + " (expected: a DNS name such as api.example.com, or *.example.com)");
            }
        }
        Objects.requireNonNull(tls, "tls");
    }

    /** The entry's label in logs and metrics: its first name. */
    public String label() {
        return names.get(0);
    }

    /**
     * A DNS name of letters, digits and hyphens, labels of 1..63 characters, or such a name of at
     * least two labels behind {@code *.} (a wildcard stands for exactly one label).
     */
    public static boolean isValidName(String name) {
        String rest = name.startsWith("*.") ? name.substring(2) : name;
        if (rest.isEmpty() || rest.length() > 253 || (name.startsWith("*.") && rest.indexOf('.') < 0)) {
            return false;
        }
        for (String label : rest.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
