package io.mtlsgateway.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One route; the first route whose match applies handles the request.
 *
 * @param allow the identities allowed; empty means any verified client
 * @param rewritePrefix replaces the matched path prefix before forwarding
 */
public record RouteConfig(
        String name, RouteMatch match, String upstream, List<AllowRule> allow, Optional<String> rewritePrefix) {

    public RouteConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(upstream, "upstream");
        allow = List.copyOf(allow);
        Objects.requireNonNull(rewritePrefix, "rewritePrefix");
    }
}
