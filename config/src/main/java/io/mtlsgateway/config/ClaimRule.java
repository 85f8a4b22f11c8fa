package io.mtlsgateway.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of a route's {@code allowClaims}: the token satisfies it when every claim listed
 * holds every value listed for it (a string claim equals the value; an array claim, or the
 * space-separated {@code scope} claim, contains it).
 *
 * @param claims claim name to the values it must hold, in file order
 */
public record ClaimRule(Map<String, List<String>> claims) {
    public ClaimRule {
        if (claims.isEmpty()) {
            throw new IllegalArgumentException("allowClaims entry: empty (expected: at least one claim)");
        }
        Map<String, List<String>> copy = new LinkedHashMap<>();
        claims.forEach((name, values) -> {
            if (values.isEmpty()) {
                throw new IllegalArgumentException("allowClaims." + name + ": empty list (expected: a value)");
            }
            copy.put(name, List.copyOf(values));
        });
        claims = Collections.unmodifiableMap(copy);
    }
}
