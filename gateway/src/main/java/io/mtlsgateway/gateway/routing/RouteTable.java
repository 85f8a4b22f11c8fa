package io.mtlsgateway.gateway.routing;

import io.mtlsgateway.config.RouteConfig;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** The routes of a config snapshot in file order; the first that matches a request wins. */
public final class RouteTable {
    private final List<Route> routes;

    private RouteTable(List<Route> routes) {
        this.routes = routes;
    }

    /** Compiles every route of the config. */
    public static RouteTable of(List<RouteConfig> configs) {
        return new RouteTable(configs.stream().map(Route::of).toList());
    }

    /**
     * The first route matching the request.
     *
     * @param host the Host header, any port removed, any case
     * @param headers looks up a request header by name (case-insensitive), null when absent
     */
    public Optional<Route> match(String host, String path, Function<String, String> headers) {
        String lowerHost = host.toLowerCase(Locale.ROOT);
        for (Route route : routes) {
            if (route.matchesHost(lowerHost) && route.matchesPath(path) && headersMatch(route, headers)) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    private static boolean headersMatch(Route route, Function<String, String> headers) {
        for (Map.Entry<String, String> wanted : route.headers().entrySet()) {
            if (!wanted.getValue().equals(headers.apply(wanted.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
