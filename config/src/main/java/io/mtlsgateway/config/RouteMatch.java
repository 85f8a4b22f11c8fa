package io.mtlsgateway.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a request must look like for a route to apply. An absent host or path prefix matches any.
 *
 * @param host an exact host name, or {@code *.example.com} for any subdomain
 * @param headers request header name to exact value; all must match
 */
public record RouteMatch(Optional<String> host, Optional<String> pathPrefix, Map<String, String> headers) {
    public RouteMatch {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(pathPrefix, "pathPrefix");
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        pathPrefix.ifPresent(p -> {
            if (!p.startsWith("/")) {
                throw new IllegalArgumentException("pathPrefix: " + p + " (expected: starts with /)");
            }
        });
    }

    /** Matches every request. */
    public static RouteMatch any() {
        return new RouteMatch(Optional.empty(), Optional.empty(), Map.of());
    }
}
