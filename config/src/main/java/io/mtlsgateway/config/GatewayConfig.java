package io.mtlsgateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A whole route file (schema version 1), validated: every route names a known upstream, names
 * are unique, and every referenced file was readable when it was loaded.
 *
 * @param source the route file this was read from
 * @param workers event-loop threads for the listeners
 * @param drainTimeout how long a stopping gateway lets in-flight requests finish
 * @param accessLog where per-request JSON lines go, if anywhere
 * @param jwt token issuers by the name routes use, in file order
 */
public record GatewayConfig(
        Path source,
        int workers,
        Transport transport,
        AdminConfig admin,
        List<ListenerConfig> listeners,
        List<RouteConfig> routes,
        Map<String, UpstreamConfig> upstreams,
        Duration drainTimeout,
        AccessLogConfig accessLog,
        Map<String, JwtIssuerConfig> jwt) {

    /** Drain timeout when the file does not set {@code drainTimeout}. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    public GatewayConfig {
        Objects.requireNonNull(source, "source");
        if (workers <= 0) {
            throw new IllegalArgumentException("workers: " + workers + " (expected: > 0)");
        }
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(admin, "admin");
        listeners = List.copyOf(listeners);
        routes = List.copyOf(routes);
        upstreams = Collections.unmodifiableMap(new LinkedHashMap<>(upstreams));
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        if (drainTimeout.isNegative()) {
            throw new IllegalArgumentException("drainTimeout: " + drainTimeout + " (expected: >= 0)");
        }
        Objects.requireNonNull(accessLog, "accessLog");
        jwt = Collections.unmodifiableMap(new LinkedHashMap<>(jwt));
    }

    /** A file with no token issuers. */
    public GatewayConfig(Path source, int workers, Transport transport, AdminConfig admin,
            List<ListenerConfig> listeners, List<RouteConfig> routes, Map<String, UpstreamConfig> upstreams,
            Duration drainTimeout, AccessLogConfig accessLog) {
        this(source, workers, transport, admin, listeners, routes, upstreams, drainTimeout, accessLog, Map.of());
    }
}
