package io.mtlsgateway.config;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Syntax of allow-rule values, checked when the file is loaded so a typo is an error at its line
 * rather than a rule that silently never matches.
 */
final class AllowValues {
    private static final Pattern SPIFFE = Pattern.compile(
            "spiffe://[a-z0-9._-]+(/[A-Za-z0-9._-]+)*(/\\*)?");
    private static final Pattern FINGERPRINT = Pattern.compile(
            "[0-9A-Fa-f]{64}|([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}");
    private static final Pattern DNS = Pattern.compile(
            "(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");

    private AllowValues() {}

    /**
     * The value as the rule stores it (fingerprints in lower-case hex without colons), or empty
     * after reporting what is wrong with it.
     */
    static Optional<String> check(AllowRule.Kind kind, YamlNode node, String value) {
        String problem = switch (kind) {
            case SPIFFE -> isSpiffe(value) ? null
                    : "(expected: spiffe://trust-domain/path, or spiffe://trust-domain/* for a whole trust domain)";
            case FINGERPRINT -> FINGERPRINT.matcher(value).matches() ? null
                    : "(expected: the SHA-256 fingerprint as 64 hex digits, colons between pairs allowed)";
            case SAN_DNS -> DNS.matcher(value).matches() ? null
                    : "(expected: a DNS name such as api.example.com or *.example.com)";
            case SUBJECT -> distinguishedNameProblem(value);
        };
        if (problem != null) {
            node.problem(node.describe() + " " + problem);
            return Optional.empty();
        }
        return Optional.of(kind == AllowRule.Kind.FINGERPRINT
                ? value.replace(":", "").toLowerCase(Locale.ROOT)
                : value);
    }

    private static boolean isSpiffe(String value) {
        if (!SPIFFE.matcher(value).matches()) {
            return false;
        }
        // "." and ".." are not path segments a SPIFFE ID may hold.
        for (String segment : value.substring("spiffe://".length()).split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static String distinguishedNameProblem(String value) {
        try {
            DistinguishedName.parse(value);
            return null;
        } catch (IllegalArgumentException e) {
            return "(" + e.getMessage() + "; expected: an RFC 4514 distinguished name such as CN=client,O=Example)";
        }
    }
}
