package io.mtlsgateway.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Binds a listener's {@code hosts} list and its {@code default}. */
final class HostBinder {
    static final List<String> KEYS = List.of("names", "tls");

    private final TlsBinder tlsBinder;

    HostBinder(TlsBinder tlsBinder) {
        this.tlsBinder = tlsBinder;
    }

    /**
     * @param hosts the {@code hosts} node
     * @param defaultNode the {@code default} node, if the listener has one
     */
    Optional<ListenerHosts> bind(YamlNode hosts, Optional<YamlNode> defaultNode) {
        Optional<List<HostConfig>> entries = hosts.list().flatMap(items -> {
            if (items.isEmpty()) {
                hosts.problem("empty list (expected: entries with names and tls)");
                return Optional.empty();
            }
            Map<String, YamlNode> seen = new HashMap<>();
            return Binding.each(items, item -> entry(item, seen));
        });
        Optional<Optional<String>> defaultName = defaultNode.isEmpty() ? Optional.of(Optional.empty())
                : defaultNode.get().string().map(Optional::of);
        if (!Binding.allPresent(entries, defaultName)) {
            return Optional.empty();
        }
        Optional<String> wanted = defaultName.get().map(n -> n.toLowerCase(Locale.ROOT));
        if (wanted.isPresent() && entries.get().stream().noneMatch(e -> e.names().contains(wanted.get()))) {
            List<String> known = entries.get().stream().flatMap(e -> e.names().stream()).toList();
            defaultNode.get().problem(defaultNode.get().describe() + " is not a name of any entry of hosts"
                    + " (expected: one of " + known + ")");
            return Optional.empty();
        }
        return hosts.problems().construct(hosts, () -> new ListenerHosts(entries.get(), wanted));
    }

    private Optional<HostConfig> entry(YamlNode node, Map<String, YamlNode> seen) {
        return node.mapping(KEYS).flatMap(entry -> {
            Optional<List<String>> names = entry.required("names", "a list of server names such as"
                    + " [api.example.com, \"*.partners.example.com\"]", n -> names(n, seen));
            Optional<TlsConfig> tls = entry.required("tls", "a mapping with certificate, privateKey, clientAuth",
                    tlsBinder::bind);
            if (!Binding.allPresent(names, tls)) {
                return Optional.empty();
            }
            return node.problems().construct(node, () -> new HostConfig(names.get(), tls.get()));
        });
    }

    private static Optional<List<String>> names(YamlNode node, Map<String, YamlNode> seen) {
        return node.listOrSingle().flatMap(items -> {
            if (items.isEmpty()) {
                node.problem("empty list (expected: at least one server name)");
                return Optional.empty();
            }
            List<String> names = new ArrayList<>();
            boolean complete = true;
            for (YamlNode item : items) {
                Optional<String> name = item.string().map(n -> n.toLowerCase(Locale.ROOT)).filter(n -> {
                    if (!HostConfig.isValidName(n)) {
                        item.problem(item.describe() + " is not a server name (expected: a DNS name such as"
                                + " api.example.com, or *.example.com: a wildcard is one whole first label)");
                        return false;
                    }
                    YamlNode first = seen.putIfAbsent(n, item);
                    if (first != null) {
                        item.problem(item.describe() + " is already a name of the entry at line " + first.line()
                                + " (each name selects one entry)");
                        return false;
                    }
                    return true;
                });
                name.ifPresent(names::add);
                complete &= name.isPresent();
            }
            return complete ? Optional.of(names) : Optional.empty();
        });
    }
}
