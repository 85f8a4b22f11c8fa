package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.gateway.identity.IdentityHeaderWriter;
import io.mtlsgateway.gateway.routing.RouteTable;
import java.util.Objects;

/**
 * What a listener's HTTP stage needs for each request, built from one config snapshot: the
 * routes, the identity-header writer, the upstream pools, and who is told about each request.
 */
public record ListenerRuntime(String name, RouteTable routes, IdentityHeaderWriter identityHeaders,
        Upstreams upstreams, ExchangeObserver observer) {
    public ListenerRuntime {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(routes, "routes");
        Objects.requireNonNull(identityHeaders, "identityHeaders");
        Objects.requireNonNull(upstreams, "upstreams");
        Objects.requireNonNull(observer, "observer");
    }

    /** A runtime whose requests nobody observes. */
    public ListenerRuntime(String name, RouteTable routes, IdentityHeaderWriter identityHeaders, Upstreams upstreams) {
        this(name, routes, identityHeaders, upstreams, ExchangeObserver.NONE);
    }
}
