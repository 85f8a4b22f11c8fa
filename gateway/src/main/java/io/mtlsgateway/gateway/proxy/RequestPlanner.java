package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.ClientCertRequirement;
import io.mtlsgateway.gateway.identity.PeerIdentity;
import io.mtlsgateway.gateway.jwt.JwtRejection;
import io.mtlsgateway.gateway.jwt.RouteTokenPolicy;
import io.mtlsgateway.gateway.jwt.TokenPolicies;
import io.mtlsgateway.gateway.jwt.VerifiedToken;
import io.mtlsgateway.gateway.routing.NormalizedPath;
import io.mtlsgateway.gateway.routing.Route;
import io.mtlsgateway.gateway.routing.RouteTable;
import io.mtlsgateway.gateway.vhost.HostScope;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decides what happens to a request from its head alone, as a value: refused (ambiguous framing,
 * an unmet expectation, no route, a caller the route does not allow) or forwarded (to which route,
 * with which target). No Netty and no I/O: the same head and identity always get the same plan.
 */
public final class RequestPlanner {
    private final RouteTable routes;
    private final int maxHeaderCount;
    private final TokenPolicies tokens;
    private final Optional<HostScope> host;
    private final Set<String> multiplexedUpstreams;

    public RequestPlanner(RouteTable routes, int maxHeaderCount) {
        this(routes, maxHeaderCount, TokenPolicies.NONE);
    }

    /** @param tokens the token policies of the routes that ask for a token */
    public RequestPlanner(RouteTable routes, int maxHeaderCount, TokenPolicies tokens) {
        this(routes, maxHeaderCount, tokens, Optional.empty());
    }

    /**
     * @param host the host entry the connection's SNI selected, on a listener with {@code hosts}:
     *     requests for another entry's names are misdirected, and on an entry with
     *     {@code clientAuth: optional} a route that needs a certificate refuses a caller without one
     */
    public RequestPlanner(RouteTable routes, int maxHeaderCount, TokenPolicies tokens, Optional<HostScope> host) {
        this(routes, maxHeaderCount, tokens, host, Set.of());
    }

    /** @param multiplexedUpstreams the upstreams that speak HTTP/2, where an Upgrade can never happen */
    public RequestPlanner(RouteTable routes, int maxHeaderCount, TokenPolicies tokens, Optional<HostScope> host,
            Set<String> multiplexedUpstreams) {
        this.multiplexedUpstreams = multiplexedUpstreams;
        this.routes = routes;
        this.maxHeaderCount = maxHeaderCount;
        this.tokens = tokens;
        this.host = host;
    }

    /** @param identity the verified client, or null when it sent no certificate */
    public RequestPlan plan(RequestHead head, PeerIdentity identity) {
        RequestCheck.Result checked = RequestCheck.check(head, maxHeaderCount);
        if (checked.rejected()) {
            return new RequestPlan.Reject(checked.rejection(), Optional.empty(), true);
        }
        if (host.isPresent() ? !host.get().covers(checked.host()) : routes.namesAHostEntry(checked.host())) {
            // Verified under one entry's policy (or a listener's without entries), asking for another
            // entry's name: never routed (RFC 9110 15.5.20).
            return new RequestPlan.Reject(ProxyError.MISDIRECTED_REQUEST, Optional.empty(), false);
        }
        if (checked.serverOptions()) {
            return new RequestPlan.ServerOptions();
        }
        String expect = head.headers().first("expect");
        if (expect != null && !"100-continue".equalsIgnoreCase(expect.trim())) {
            return new RequestPlan.Reject(ProxyError.EXPECTATION_FAILED, Optional.empty(), false);
        }
        for (String name : routes.matchedHeaders()) {
            if (head.headers().all(name).size() > 1) {
                return new RequestPlan.Reject(ProxyError.AMBIGUOUS_HEADER, Optional.empty(), true);
            }
        }
        NormalizedPath path = checked.path();
        Optional<Route> matched = routes.match(checked.host(), path.path(), head.headers()::first);
        if (!sameRouteWithoutParameters(matched, checked.host(), path, head)) {
            // "/admin;x/secret" is /admin/secret to a servlet upstream but misses the /admin prefix
            // here: routed one way and served another, it would skip /admin's allow list.
            return new RequestPlan.Reject(ProxyError.BAD_PATH, Optional.empty(), true);
        }
        if (matched.isEmpty()) {
            return new RequestPlan.Reject(ProxyError.NO_ROUTE, Optional.empty(), false);
        }
        Route route = matched.get();
        if (identity == null && host.isPresent() && host.get().clientAuth() == ClientAuthMode.OPTIONAL
                && route.clientCert() == ClientCertRequirement.REQUIRED) {
            return new RequestPlan.Reject(ProxyError.CLIENT_CERTIFICATE_REQUIRED, matched, false);
        }
        if (!route.policy().allows(identity)) {
            return new RequestPlan.Reject(ProxyError.FORBIDDEN, matched, false);
        }
        // The certificate is allowed; a route that asks for a token needs that too (both must hold).
        Optional<RouteTokenPolicy> tokenPolicy = tokens.forRoute(route.name());
        Optional<VerifiedToken> token = Optional.empty();
        if (tokenPolicy.isPresent()) {
            RouteTokenPolicy.Judgement judgement = tokenPolicy.get().judge(head.headers().all("authorization"),
                    head.target(), identity == null ? null : identity.fingerprint());
            if (judgement instanceof RouteTokenPolicy.Denied denied) {
                return reject(denied, matched);
            }
            if (judgement instanceof RouteTokenPolicy.AwaitKeys await) {
                return new RequestPlan.AwaitKeys(await.keys(), reject(await.otherwise(), matched));
            }
            token = ((RouteTokenPolicy.Allowed) judgement).token();
        }
        String target = route.pathPrefix()
                .map(prefix -> path.rewritePrefix(prefix, route.rewritePrefix()))
                .orElse(path)
                .target();
        boolean upgrade = isUpgrade(head);
        if (upgrade && multiplexedUpstreams.contains(route.upstream())) {
            // HTTP/2 has no Upgrade: relayed as a plain request, the switch could never happen.
            return new RequestPlan.Reject(ProxyError.UPGRADE_NOT_SUPPORTED, matched, false);
        }
        boolean retryable = !upgrade && isIdempotent(head.method()) && !head.chunked() && head.contentLength() == 0;
        // Routing and authorization are done on the headers alone: only now may the body be invited.
        return new RequestPlan.Forward(route, target, upgrade, expect != null, retryable, tokenPolicy, token);
    }

    /**
     * Whether the path picks the same route (or none) when its segment parameters are removed, as
     * servlet containers do before they match; a path without {@code ;} always does. Where the two
     * readings pick different routes, the request is ambiguous: refused, whichever is right.
     */
    private boolean sameRouteWithoutParameters(Optional<Route> matched, String host, NormalizedPath path,
            RequestHead head) {
        if (path.path().indexOf(';') < 0) {
            return true;
        }
        Optional<Route> servlet = routes.match(host, path.pathWithoutParameters(), head.headers()::first);
        return servlet.map(Route::name).equals(matched.map(Route::name));
    }

    private static RequestPlan.Reject reject(RouteTokenPolicy.Denied denied, Optional<Route> route) {
        return new RequestPlan.Reject(tokenError(denied.refusal().reason()), route, false,
                Optional.of(denied.refusal()));
    }

    private static ProxyError tokenError(JwtRejection reason) {
        return switch (reason) {
            case MISSING -> ProxyError.TOKEN_MISSING;
            case CLAIMS_DENIED -> ProxyError.TOKEN_INSUFFICIENT;
            default -> ProxyError.TOKEN_INVALID;
        };
    }

    /** RFC 9110 section 9.2.2 (TRACE is refused before it gets here). */
    private static boolean isIdempotent(String method) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "PUT", "DELETE" -> true;
            default -> false;
        };
    }

    /**
     * A protocol switch the gateway relays: {@code Connection: upgrade} with an {@code Upgrade}
     * header on an HTTP/1.1 request without a body. Never h2c: after it the client could send any
     * request to the upstream inside the tunnel, past routing and authorization.
     */
    static boolean isUpgrade(RequestHead head) {
        String protocols = head.headers().first("upgrade");
        if (protocols == null || protocols.isBlank() || head.majorVersion() != 1 || head.minorVersion() != 1
                || !head.headers().hasToken("connection", "upgrade") || head.chunked() || head.contentLength() != 0) {
            return false;
        }
        for (String protocol : protocols.split(",")) {
            if (protocol.trim().toLowerCase(Locale.ROOT).startsWith("h2c")) {
                return false;
            }
        }
        return true;
    }
}
