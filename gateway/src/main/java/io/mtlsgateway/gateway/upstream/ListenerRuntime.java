package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.gateway.identity.IdentityHeaderWriter;
import io.mtlsgateway.gateway.routing.RouteTable;
import java.util.Objects;

/**
 * What a listener's HTTP stage needs for each request, built from one config snapshot: the
 * routes, the identity-header writer and the upstream pools.
 */
public record ListenerRuntime(String name, RouteTable routes, IdentityHeaderWriter identityHeaders,
        Upstreams upstreams) {
    public ListenerRuntime {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(routes, "routes");
        Objects.requireNonNull(identityHeaders, "identityHeaders");
        Objects.requireNonNull(upstreams, "upstreams");
    }
}
