package io.mtlsgateway.gateway.jwt;

import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.IdentityTemplate;
import io.mtlsgateway.config.JwtIssuerConfig;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.config.RouteConfig;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The token policy of every route that asks for one, built from one config snapshot and the key
 * sources of its issuers; and every claim header name, which is stripped from every request.
 */
public final class TokenPolicies {
    /** A config without token issuers. */
    public static final TokenPolicies NONE = new TokenPolicies(Map.of(), Set.of());

    private final Map<String, RouteTokenPolicy> byRoute;
    private final Set<String> claimHeaderNames;

    private TokenPolicies(Map<String, RouteTokenPolicy> byRoute, Set<String> claimHeaderNames) {
        this.byRoute = Map.copyOf(byRoute);
        this.claimHeaderNames = Set.copyOf(claimHeaderNames);
    }

    /**
     * @param sources the key source of each issuer, by issuer name ({@link KeySources#forIssuers})
     */
    public static TokenPolicies of(GatewayConfig config, Map<String, KeySource> sources, Clock clock) {
        if (config.jwt().isEmpty()) {
            return NONE;
        }
        // Claims templates name are rendered (and checked header-safe) when a token is verified.
        Set<String> templateClaims = new LinkedHashSet<>();
        for (ListenerConfig listener : config.listeners()) {
            listener.identityHeaders().values().stream().map(IdentityTemplate::claims).forEach(templateClaims::addAll);
        }
        Map<String, TokenValidator> validators = new HashMap<>();
        Set<String> claimHeaders = new LinkedHashSet<>();
        for (JwtIssuerConfig issuer : config.jwt().values()) {
            validators.put(issuer.name(), new TokenValidator(issuer, sources.get(issuer.name()), templateClaims));
            claimHeaders.addAll(issuer.claimHeaders().keySet());
        }
        Map<String, RouteTokenPolicy> byRoute = new HashMap<>();
        for (RouteConfig route : config.routes()) {
            route.jwt().ifPresent(jwt -> byRoute.put(route.name(), new RouteTokenPolicy(
                    validators.get(jwt.issuer()), jwt, new ClaimPolicy(route.allowClaims()), clock)));
        }
        return new TokenPolicies(byRoute, claimHeaders);
    }

    /** The policy of the route with this name, if it asks for a token. */
    public Optional<RouteTokenPolicy> forRoute(String route) {
        return Optional.ofNullable(byRoute.get(route));
    }

    /** Every issuer's claim header names, as written. */
    public Set<String> claimHeaderNames() {
        return claimHeaderNames;
    }
}
