package io.mtlsgateway.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds host entries with {@code clientAuth: optional} that serve both public routes
 * ({@code clientCert: optional}) and routes that need a certificate. Legal, and the gateway keeps
 * them apart (403 {@code client_certificate_required}), but one name for both invites the mistake
 * of marking an mTLS route public; a separate entry for the public routes is clearer. {@code check}
 * prints these as warnings.
 */
public final class HostRouteMix {
    private HostRouteMix() {}

    /** One message per such entry, naming the routes of each kind. */
    public static List<String> warnings(GatewayConfig config) {
        List<String> warnings = new ArrayList<>();
        for (ListenerConfig listener : config.listeners()) {
            for (HostConfig host : listener.hosts().entries()) {
                if (host.tls().clientAuth() == ClientAuthMode.OPTIONAL) {
                    mix(config.routes(), route -> reachable(route, host.names())).ifPresent(m ->
                            warnings.add("listener '" + listener.name() + "' host " + host.label()
                                    + " (clientAuth: optional) " + m));
                }
            }
        }
        return warnings;
    }

    private static Optional<String> mix(List<RouteConfig> routes, java.util.function.Predicate<RouteConfig> on) {
        List<String> open = new ArrayList<>();
        List<String> mtls = new ArrayList<>();
        for (RouteConfig route : routes) {
            if (on.test(route)) {
                (route.clientCert() == ClientCertRequirement.OPTIONAL ? open : mtls).add(route.name());
            }
        }
        if (open.isEmpty() || mtls.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("mixes public routes " + open + " (clientCert: optional) with routes that need a client"
                + " certificate " + mtls + "; consider a host entry of its own for the public routes");
    }

    /** Whether a request for one of {@code names} can reach the route (its host pattern, if any, overlaps). */
    static boolean reachable(RouteConfig route, List<String> names) {
        if (route.match().host().isEmpty()) {
            return true;
        }
        String wanted = route.match().host().get().toLowerCase(Locale.ROOT);
        for (String name : names) {
            if (name.equals(wanted) || oneLabelUnder(name, wanted) || oneLabelUnder(wanted, name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code pattern} is a wildcard that {@code name} (exact or wildcard) falls under. */
    private static boolean oneLabelUnder(String name, String pattern) {
        if (!pattern.startsWith("*.")) {
            return false;
        }
        String suffix = pattern.substring(1);
        return name.endsWith(suffix) && name.length() > suffix.length();
    }
}
