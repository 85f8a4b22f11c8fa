package io.mtlsgateway.gateway.server;

import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.HostConfig;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.gateway.identity.IdentityHeaderWriter;
import io.mtlsgateway.gateway.jwt.TokenPolicies;
import io.mtlsgateway.gateway.limits.RequestLimiter;
import io.mtlsgateway.gateway.proxy.ExchangeObserver;
import io.mtlsgateway.gateway.proxy.HttpStageSnapshot;
import io.mtlsgateway.gateway.routing.RouteTable;
import io.mtlsgateway.gateway.upstream.Upstreams;
import io.mtlsgateway.gateway.vhost.HostNameTable;
import io.mtlsgateway.gateway.vhost.HostScope;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What one build of a listener's snapshot makes its {@link HttpStageSnapshot}s from: the config,
 * the listener, the upstream pools built for this config, and what the running gateway lends
 * (observer, token policies, per-identity limits). A listener with hosts makes one stage per
 * entry from the same inputs, each with its own XFCC {@code By} and host scope.
 *
 * @param tokens the token policies of the config's routes (one set for every listener)
 * @param limiter the listener's per-identity limits
 */
record HttpStageInputs(GatewayConfig config, ListenerConfig listener, Upstreams upstreams, ExchangeObserver observer,
        TokenPolicies tokens, RequestLimiter limiter) {

    /**
     * @param xfccBy the URI SAN of the gateway's certificate for this TLS policy, sent as XFCC {@code By}
     * @param host the host entry served, on a listener with hosts
     */
    HttpStageSnapshot httpStage(Optional<String> xfccBy, Optional<HostScope> host) {
        RouteTable routes = RouteTable.of(config.routes());
        Optional<HostNameTable> entries = host.isEmpty() ? hostEntryNames(config) : Optional.empty();
        if (entries.isPresent()) {
            // A listener without entries (TLS or plain) never serves the names an entry's policy guards.
            routes = routes.outsideHostEntries(entries.get());
        }
        return new HttpStageSnapshot(listener.name(), routes,
                new IdentityHeaderWriter(listener, xfccBy, tokens.claimHeaderNames()), upstreams, listener.http(),
                observer, tokens, limiter, host);
    }

    /** Every name of every host entry of the config, in one table; empty when no listener has hosts. */
    private static Optional<HostNameTable> hostEntryNames(GatewayConfig config) {
        Set<String> names = new LinkedHashSet<>();
        for (ListenerConfig other : config.listeners()) {
            if (other.hosts().present()) {
                for (HostConfig entry : other.hosts().entries()) {
                    // One spelling each: two listeners may name the same host.
                    entry.names().forEach(name -> names.add(HostNameTable.normalize(name)));
                }
            }
        }
        return names.isEmpty() ? Optional.empty()
                : Optional.of(new HostNameTable(List.of(List.copyOf(names)), OptionalInt.empty()));
    }
}
