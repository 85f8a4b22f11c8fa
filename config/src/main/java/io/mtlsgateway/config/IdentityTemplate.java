package io.mtlsgateway.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed identity-header template such as {@code "spiffe=${spiffe}"}: literal text and
 * {@code ${variable}} references, checked against the known variables when parsed.
 */
public record IdentityTemplate(String source, List<Part> parts) {

    /** The prefix of a variable naming a claim of the request's verified token, as in {@code ${jwt.sub}}. */
    public static final String JWT_PREFIX = "jwt.";

    /** Every certificate variable a template may name (DESIGN.md, "Template variables"). */
    public static final Set<String> VARIABLES = Set.of(
            "subject", "issuer", "serial", "fingerprint", "spiffe", "sanDns", "sanUri", "sanEmail",
            "notBefore", "notAfter", "cert");

    /** A piece of a template. */
    public sealed interface Part permits Literal, Variable {}

    /** Text copied as is. */
    public record Literal(String text) implements Part {}

    /** A value taken from the client's identity, or with {@link #JWT_PREFIX} from its token. */
    public record Variable(String name) implements Part {
        /** The claim this variable names, when it is a {@code jwt.} variable. */
        public java.util.Optional<String> claim() {
            return name.startsWith(JWT_PREFIX) ? java.util.Optional.of(name.substring(JWT_PREFIX.length()))
                    : java.util.Optional.empty();
        }
    }

    /** The token claims this template uses, in order. */
    public List<String> claims() {
        return parts.stream().filter(p -> p instanceof Variable).map(p -> ((Variable) p).claim())
                .flatMap(java.util.Optional::stream).toList();
    }

    public IdentityTemplate {
        Objects.requireNonNull(source, "source");
        parts = List.copyOf(parts);
    }

    /**
     * Parses a template.
     *
     * @throws IllegalArgumentException naming the unknown variable or the unclosed reference
     */
    public static IdentityTemplate parse(String source) {
        List<Part> parts = new ArrayList<>();
        int i = 0;
        while (i < source.length()) {
            int open = source.indexOf("${", i);
            if (open < 0) {
                parts.add(new Literal(source.substring(i)));
                break;
            }
            if (open > i) {
                parts.add(new Literal(source.substring(i, open)));
            }
            int close = source.indexOf('}', open + 2);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '${' at offset " + open + " in template '" + source + "'");
            }
            String name = source.substring(open + 2, close);
            if (name.startsWith(JWT_PREFIX)) {
                if (!name.substring(JWT_PREFIX.length()).matches("[A-Za-z0-9_:-]+")) {
                    throw new IllegalArgumentException("bad claim name in '${" + name + "}' (expected: ${jwt.NAME},"
                            + " NAME of letters, digits, '_', ':' or '-')");
                }
            } else if (!VARIABLES.contains(name)) {
                throw new IllegalArgumentException("unknown template variable '${" + name + "}' (expected one of: "
                        + String.join(", ", VARIABLES.stream().sorted().toList()) + ", or jwt.CLAIM)");
            }
            parts.add(new Variable(name));
            i = close + 1;
        }
        return new IdentityTemplate(source, parts);
    }
}
