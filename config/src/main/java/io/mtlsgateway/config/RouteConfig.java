package io.mtlsgateway.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One route; the first route whose match applies handles the request.
 *
 * @param allow the identities allowed; empty means any verified client
 * @param rewritePrefix replaces the matched path prefix before forwarding
 * @param limits per-identity request limits on this route, on top of the listener's
 */
public record RouteConfig(
        String name, RouteMatch match, String upstream, List<AllowRule> allow, Optional<String> rewritePrefix,
        LimitsConfig limits) {

    public RouteConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(upstream, "upstream");
        allow = List.copyOf(allow);
        Objects.requireNonNull(rewritePrefix, "rewritePrefix");
        Objects.requireNonNull(limits, "limits");
    }

    /** A route without limits of its own. */
    public RouteConfig(
            String name, RouteMatch match, String upstream, List<AllowRule> allow, Optional<String> rewritePrefix) {
        this(name, match, upstream, allow, rewritePrefix, LimitsConfig.NONE);
    }
}
