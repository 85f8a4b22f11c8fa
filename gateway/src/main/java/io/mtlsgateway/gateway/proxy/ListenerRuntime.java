package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.gateway.identity.IdentityHeaderWriter;
import io.mtlsgateway.gateway.routing.RouteTable;
import java.util.Objects;

/**
 * What a listener's HTTP stage needs for each request, built from one config snapshot: the
 * routes, the identity-header writer, the upstream pools, the listener's HTTP limits, and who is
 * told about each request.
 */
public record ListenerRuntime(String name, RouteTable routes, IdentityHeaderWriter identityHeaders,
        Upstreams upstreams, HttpSettings http, ExchangeObserver observer) {
    public ListenerRuntime {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(routes, "routes");
        Objects.requireNonNull(identityHeaders, "identityHeaders");
        Objects.requireNonNull(upstreams, "upstreams");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(observer, "observer");
    }

    /** A runtime with the default HTTP limits whose requests nobody observes. */
    public ListenerRuntime(String name, RouteTable routes, IdentityHeaderWriter identityHeaders, Upstreams upstreams) {
        this(name, routes, identityHeaders, upstreams, HttpSettings.defaults(), ExchangeObserver.NONE);
    }
}
