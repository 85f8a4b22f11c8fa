package io.mtlsgateway.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One route; the first route whose match applies handles the request.
 *
 * @param allow the identities allowed; empty means any verified client
 * @param rewritePrefix replaces the matched path prefix before forwarding
 * @param jwt the token the route asks for, if any
 * @param allowClaims any of these must hold for the verified token; empty means any valid token
 *     (both {@code allow} and {@code allowClaims} must hold)
 * @param limits per-identity request limits on this route, on top of the listener's
 * @param clientCert whether a connection without a client certificate (a host with
 *     {@code clientAuth: optional}) may use the route
 */
public record RouteConfig(
        String name,
        RouteMatch match,
        String upstream,
        List<AllowRule> allow,
        Optional<String> rewritePrefix,
        Optional<RouteJwt> jwt,
        List<ClaimRule> allowClaims,
        LimitsConfig limits,
        ClientCertRequirement clientCert) {

    public RouteConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(upstream, "upstream");
        allow = List.copyOf(allow);
        Objects.requireNonNull(rewritePrefix, "rewritePrefix");
        Objects.requireNonNull(jwt, "jwt");
        allowClaims = List.copyOf(allowClaims);
        if (!allowClaims.isEmpty() && jwt.isEmpty()) {
            throw new IllegalArgumentException("allowClaims without jwt (expected: jwt: { issuer: NAME })");
        }
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(clientCert, "clientCert");
        if (clientCert == ClientCertRequirement.OPTIONAL && !allow.isEmpty()) {
            throw new IllegalArgumentException("clientCert: optional with allow rules (expected: an allow list"
                    + " needs a certificate to judge; use clientCert: required, or no allow)");
        }
    }

    /** A route that needs a client certificate (the default). */
    public RouteConfig(String name, RouteMatch match, String upstream, List<AllowRule> allow,
            Optional<String> rewritePrefix, Optional<RouteJwt> jwt, List<ClaimRule> allowClaims, LimitsConfig limits) {
        this(name, match, upstream, allow, rewritePrefix, jwt, allowClaims, limits, ClientCertRequirement.REQUIRED);
    }

    /** A route without limits of its own. */
    public RouteConfig(String name, RouteMatch match, String upstream, List<AllowRule> allow,
            Optional<String> rewritePrefix, Optional<RouteJwt> jwt, List<ClaimRule> allowClaims,
            ClientCertRequirement clientCert) {
        this(name, match, upstream, allow, rewritePrefix, jwt, allowClaims, LimitsConfig.NONE, clientCert);
    }

    /** A route without limits of its own. */
    public RouteConfig(String name, RouteMatch match, String upstream, List<AllowRule> allow,
            Optional<String> rewritePrefix, Optional<RouteJwt> jwt, List<ClaimRule> allowClaims) {
        this(name, match, upstream, allow, rewritePrefix, jwt, allowClaims, LimitsConfig.NONE,
                ClientCertRequirement.REQUIRED);
    }

    /** A route that asks for no token. */
    public RouteConfig(String name, RouteMatch match, String upstream, List<AllowRule> allow,
            Optional<String> rewritePrefix) {
        this(name, match, upstream, allow, rewritePrefix, Optional.empty(), List.of(), LimitsConfig.NONE,
                ClientCertRequirement.REQUIRED);
    }
}
