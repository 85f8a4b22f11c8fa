package io.mtlsgateway.gateway.routing;

import io.mtlsgateway.config.ClientCertRequirement;
import io.mtlsgateway.config.RouteConfig;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** A route ready to match requests: its config with the host pattern and policy compiled. */
public record Route(
        String name,
        Optional<String> host,
        Optional<String> pathPrefix,
        Map<String, String> headers,
        String upstream,
        AccessPolicy policy,
        Optional<String> rewritePrefix,
        ClientCertRequirement clientCert) {

    /** A route that needs a client certificate. */
    public Route(String name, Optional<String> host, Optional<String> pathPrefix, Map<String, String> headers,
            String upstream, AccessPolicy policy, Optional<String> rewritePrefix) {
        this(name, host, pathPrefix, headers, upstream, policy, rewritePrefix, ClientCertRequirement.REQUIRED);
    }

    /** Compiles a route from its config. */
    public static Route of(RouteConfig config) {
        return new Route(config.name(), config.match().host().map(h -> h.toLowerCase(Locale.ROOT)),
                config.match().pathPrefix(), config.match().headers(), config.upstream(),
                AccessPolicy.of(config.allow()), config.rewritePrefix(), config.clientCert());
    }

    boolean matchesHost(String requestHost) {
        if (host.isEmpty()) {
            return true;
        }
        String wanted = host.get();
        if (wanted.startsWith("*.")) {
            String suffix = wanted.substring(1);
            return requestHost.endsWith(suffix) && requestHost.length() > suffix.length();
        }
        return wanted.equals(requestHost);
    }

    /** Segment-aware: {@code /api} matches {@code /api} and {@code /api/x}, never {@code /apix}. */
    boolean matchesPath(String path) {
        if (pathPrefix.isEmpty()) {
            return true;
        }
        String prefix = pathPrefix.get();
        if (!path.startsWith(prefix)) {
            return false;
        }
        return prefix.endsWith("/") || path.length() == prefix.length() || path.charAt(prefix.length()) == '/';
    }
}
