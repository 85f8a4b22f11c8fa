package io.mtlsgateway.config;

import java.nio.file.Path;
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
 */
public record GatewayConfig(
        Path source,
        int workers,
        Transport transport,
        AdminConfig admin,
        List<ListenerConfig> listeners,
        List<RouteConfig> routes,
        Map<String, UpstreamConfig> upstreams) {

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
    }
}
