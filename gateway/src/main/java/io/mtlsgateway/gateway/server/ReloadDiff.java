package io.mtlsgateway.gateway.server;

import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.ListenerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a reload may not change, worked out from the two configs alone: a pure function, so each
 * rule is tested without a server.
 *
 * @param refused why the new config cannot be applied at all (listeners are sockets: adding,
 *     removing or moving one needs a restart); empty when it can
 * @param restartOnly keys whose change is accepted but takes effect only at the next restart
 */
public record ReloadDiff(List<String> refused, List<String> restartOnly) {
    public ReloadDiff {
        refused = List.copyOf(refused);
        restartOnly = List.copyOf(restartOnly);
    }

    public static ReloadDiff between(GatewayConfig before, GatewayConfig after) {
        return new ReloadDiff(listenerSetChanges(before, after), restartOnlyChanges(before, after));
    }

    private static List<String> listenerSetChanges(GatewayConfig before, GatewayConfig after) {
        Map<String, ListenerConfig> old = new LinkedHashMap<>();
        before.listeners().forEach(l -> old.put(l.name(), l));
        Set<String> names = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        for (ListenerConfig listener : after.listeners()) {
            names.add(listener.name());
            ListenerConfig previous = old.get(listener.name());
            if (previous == null) {
                problems.add("listener '" + listener.name() + "' was added: adding a listener needs a restart");
            } else if (!previous.listen().equals(listener.listen())) {
                problems.add("listener '" + listener.name() + "' moved from " + previous.listen() + " to "
                        + listener.listen() + ": changing a listen address needs a restart");
            } else if (previous.plaintext() != listener.plaintext()) {
                problems.add("listener '" + listener.name() + "' switched between TLS and tls: none: that needs a"
                        + " restart");
            }
        }
        for (String name : old.keySet()) {
            if (!names.contains(name)) {
                problems.add("listener '" + name + "' was removed: removing a listener needs a restart");
            }
        }
        return problems;
    }

    private static List<String> restartOnlyChanges(GatewayConfig before, GatewayConfig after) {
        List<String> keys = new ArrayList<>();
        if (before.workers() != after.workers()) {
            keys.add("workers");
        }
        if (before.transport() != after.transport()) {
            keys.add("transport");
        }
        if (!before.admin().equals(after.admin())) {
            keys.add("admin");
        }
        if (!before.accessLog().equals(after.accessLog())) {
            keys.add("accessLog");
        }
        return keys;
    }
}
