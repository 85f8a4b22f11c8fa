package io.mtlsgateway.gateway.jwt;

import io.mtlsgateway.config.ClaimRule;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A route's {@code allowClaims}: the token is allowed when any rule holds; a rule holds when every
 * claim it lists holds every value listed for it. No rules means any valid token is allowed.
 *
 * <p>A claim holds a value when it is a string equal to it, a number or boolean that JSON writes
 * as it, or an array with such an element. {@code scope} is a space-separated string (RFC 8693
 * section 4.2, RFC 9068 section 2.2.3), so it holds each of its words; so does {@code scp} when it
 * is a string.
 */
public final class ClaimPolicy {
    private final List<ClaimRule> rules;

    public ClaimPolicy(List<ClaimRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public boolean allows(VerifiedToken token) {
        Objects.requireNonNull(token, "token");
        if (rules.isEmpty()) {
            return true;
        }
        for (ClaimRule rule : rules) {
            if (holds(rule, token.claims())) {
                return true;
            }
        }
        return false;
    }

    private static boolean holds(ClaimRule rule, Map<String, Object> claims) {
        for (Map.Entry<String, List<String>> wanted : rule.claims().entrySet()) {
            Object claim = claims.get(wanted.getKey());
            for (String value : wanted.getValue()) {
                if (!contains(wanted.getKey(), claim, value)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean contains(String name, Object claim, String value) {
        if (claim instanceof List<?> list) {
            for (Object element : list) {
                if (scalarEquals(element, value)) {
                    return true;
                }
            }
            return false;
        }
        if (claim instanceof String text && (name.equals("scope") || name.equals("scp"))) {
            for (String word : text.split(" ")) {
                if (word.equals(value)) {
                    return true;
                }
            }
            return false;
        }
        return scalarEquals(claim, value);
    }

    private static boolean scalarEquals(Object claim, String value) {
        if (claim instanceof String || claim instanceof Boolean || claim instanceof Long || claim instanceof Integer) {
            return String.valueOf(claim).equals(value);
        }
        if (claim instanceof Double d) {
            try {
                return d == Double.parseDouble(value);
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return false; // objects and null never equal a configured string
    }
}
