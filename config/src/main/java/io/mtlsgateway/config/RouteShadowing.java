package io.mtlsgateway.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Finds routes that can never match because an earlier route matches every request they would
 * (first match wins). Not an error — the file still works — but almost always a mistake in the
 * order of routes, so {@code check} prints these as warnings.
 */
public final class RouteShadowing {
    private RouteShadowing() {}

    /**
     * One message per shadowed route, in file order, naming both routes by index and name, e.g.
     * {@code routes[2] 'payments-v2' can never match: routes[0] 'payments' (earlier) matches every
     * request it would}.
     */
    public static List<String> warnings(List<RouteConfig> routes) {
        List<String> warnings = new ArrayList<>();
        for (int later = 1; later < routes.size(); later++) {
            for (int earlier = 0; earlier < later; earlier++) {
                if (covers(routes.get(earlier).match(), routes.get(later).match())) {
                    warnings.add("routes[" + later + "] '" + routes.get(later).name() + "' can never match: routes["
                            + earlier + "] '" + routes.get(earlier).name() + "' (earlier) matches every request it would");
                    break;
                }
            }
        }
        return warnings;
    }

    /** Whether every request that {@code later} matches is also matched by {@code earlier}. */
    static boolean covers(RouteMatch earlier, RouteMatch later) {
        return hostCovers(earlier.host(), later.host())
                && pathCovers(earlier.pathPrefix(), later.pathPrefix())
                && headersCover(earlier.headers(), later.headers());
    }

    private static boolean hostCovers(Optional<String> earlier, Optional<String> later) {
        if (earlier.isEmpty()) {
            return true;
        }
        if (later.isEmpty()) {
            return false;
        }
        String wide = earlier.get().toLowerCase(Locale.ROOT);
        String narrow = later.get().toLowerCase(Locale.ROOT);
        if (!wide.startsWith("*.")) {
            return wide.equals(narrow);
        }
        // "*.example.com" matches any name ending in ".example.com", so also "*.api.example.com".
        String suffix = wide.substring(1);
        String narrowSuffix = narrow.startsWith("*.") ? narrow.substring(1) : narrow;
        return narrowSuffix.endsWith(suffix) && (narrow.startsWith("*.") || narrow.length() > suffix.length());
    }

    /** The same segment-aware rule the router applies: {@code /api} covers {@code /api/v1}, not {@code /apix}. */
    private static boolean pathCovers(Optional<String> earlier, Optional<String> later) {
        if (earlier.isEmpty()) {
            return true;
        }
        if (later.isEmpty()) {
            return false;
        }
        String prefix = earlier.get();
        String path = later.get();
        if (!path.startsWith(prefix)) {
            return false;
        }
        return prefix.endsWith("/") || path.length() == prefix.length() || path.charAt(prefix.length()) == '/';
    }

    /** An earlier route's header conditions must all be conditions of the later one too. */
    private static boolean headersCover(Map<String, String> earlier, Map<String, String> later) {
        for (Map.Entry<String, String> wanted : earlier.entrySet()) {
            boolean found = later.entrySet().stream().anyMatch(e -> e.getKey().equalsIgnoreCase(wanted.getKey())
                    && e.getValue().equals(wanted.getValue()));
            if (!found) {
                return false;
            }
        }
        return true;
    }
}
