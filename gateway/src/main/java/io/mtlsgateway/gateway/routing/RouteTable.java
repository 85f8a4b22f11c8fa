package io.mtlsgateway.gateway.routing;

import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.gateway.vhost.HostNameTable;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/** The routes of a config snapshot in file order; the first that matches a request wins. */
public final class RouteTable {
    private final List<Route> routes;
    private final Set<String> matchedHeaders;
    /** The names of host entries, on a listener that has none of its own; null when there are none. */
    private final HostNameTable entriesElsewhere;

    private RouteTable(List<Route> routes, HostNameTable entriesElsewhere) {
        this.routes = routes;
        this.entriesElsewhere = entriesElsewhere;
        Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        routes.forEach(route -> names.addAll(route.headers().keySet()));
        this.matchedHeaders = Collections.unmodifiableSet(names);
    }

    /**
     * The header names any route's {@code headers} condition looks at (case-insensitive). A request
     * with one of them twice is ambiguous: routes look at its first value, an upstream may act on
     * the last or on both joined, and a request that misses a stricter route by its first value would
     * be authorized by a broader one.
     */
    public Set<String> matchedHeaders() {
        return matchedHeaders;
    }

    /** Compiles every route of the config. */
    public static RouteTable of(List<RouteConfig> configs) {
        return new RouteTable(configs.stream().map(Route::of).toList(), null);
    }

    /**
     * These routes on a listener without host entries of its own, in a config where other listeners
     * have some: their names are never served here ({@link #namesAHostEntry}), since a connection to
     * this listener was not verified under that entry's client policy.
     *
     * @param entries the names of every host entry of the config
     */
    public RouteTable outsideHostEntries(HostNameTable entries) {
        return new RouteTable(routes, entries);
    }

    /**
     * Whether {@code host} is a name of a host entry that this listener does not serve: the request
     * is misdirected (421). Always false on a listener with hosts, whose own table judges the Host.
     */
    public boolean namesAHostEntry(String host) {
        return entriesElsewhere != null && entriesElsewhere.lookup(host).isPresent();
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
