package io.mtlsgateway.config;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Binds one entry of {@code routes}. */
final class RouteBinder {
    static final List<String> KEYS = List.of("name", "match", "upstream", "allow", "rewritePrefix");
    static final List<String> MATCH_KEYS = List.of("host", "pathPrefix", "headers");
    static final List<String> ALLOW_KEYS =
            Arrays.stream(AllowRule.Kind.values()).map(AllowRule.Kind::yamlName).toList();

    private final References refs;

    RouteBinder(References refs) {
        this.refs = refs;
    }

    Optional<RouteConfig> bind(YamlNode node) {
        return node.mapping(KEYS).flatMap(this::bind);
    }

    private Optional<RouteConfig> bind(YamlMapping route) {
        Optional<String> name = route.required("name", "a route name", YamlNode::string);
        name.ifPresent(n -> refs.routeNames.add(new References.Named(n, route.get("name").get())));
        Optional<RouteMatch> match = route.optional("match", this::match, RouteMatch.any());
        Optional<String> upstream = route.required("upstream", "the name of an upstream", n -> {
            Optional<String> reference = n.string();
            reference.ifPresent(r -> refs.upstreamReferences.add(new References.Named(r, n)));
            return reference;
        });
        Optional<List<AllowRule>> allow = route.optional("allow", RouteBinder::allow, List.of());
        if (name.isPresent() && allow.isPresent() && !allow.get().isEmpty()) {
            refs.allowLists.add(new References.Named(name.get(), route.get("allow").orElseThrow()));
        }
        Optional<Optional<String>> rewritePrefix = route.optional(
                "rewritePrefix", n -> Binding.absolutePath(n).map(Optional::of), Optional.empty());
        if (!Binding.allPresent(name, match, upstream, allow, rewritePrefix)) {
            return Optional.empty();
        }
        return route.owner().problems().construct(route.owner(), () -> new RouteConfig(
                name.get(), match.get(), upstream.get(), allow.get(), rewritePrefix.get()));
    }

    private Optional<RouteMatch> match(YamlNode node) {
        return node.mapping(MATCH_KEYS).flatMap(match -> {
            Optional<Optional<String>> host =
                    match.optional("host", n -> n.string().map(Optional::of), Optional.empty());
            Optional<Optional<String>> pathPrefix =
                    match.optional("pathPrefix", n -> Binding.absolutePath(n).map(Optional::of), Optional.empty());
            Optional<Map<String, String>> headers = match.optional("headers", this::headers, Map.of());
            if (!Binding.allPresent(host, pathPrefix, headers)) {
                return Optional.empty();
            }
            return node.problems().construct(node, () -> new RouteMatch(host.get(), pathPrefix.get(), headers.get()));
        });
    }

    private Optional<Map<String, String>> headers(YamlNode node) {
        return node.freeMapping().flatMap(headers -> {
            Map<String, String> values = new LinkedHashMap<>();
            boolean complete = true;
            for (YamlMapping.Entry entry : headers.entries()) {
                boolean nameOk = HeaderNames.isToken(entry.key());
                if (!nameOk) {
                    entry.keyNode().problem("not a valid header name (expected: letters, digits and !#$%&'*+-.^_`|~ only)");
                } else if (HeaderNames.isClientClaim(entry.key())) {
                    nameOk = false;
                    entry.keyNode().problem("a route cannot match on " + entry.key() + ": routes are matched on what"
                            + " the client sent, and any client can send this header (use 'allow' to select by identity)");
                }
                if (nameOk) {
                    refs.routeMatchHeaders.add(new References.Named(entry.key(), entry.keyNode()));
                }
                Optional<String> value = entry.value().string();
                value.ifPresent(v -> values.put(entry.key(), v));
                complete &= nameOk && value.isPresent();
            }
            return complete ? Optional.of(values) : Optional.empty();
        });
    }

    private static Optional<List<AllowRule>> allow(YamlNode node) {
        return node.list().flatMap(rules -> {
            if (rules.isEmpty()) {
                node.problem("empty list allows nobody (remove 'allow' to allow any verified client)");
                return Optional.empty();
            }
            return Binding.each(rules, RouteBinder::allowRule);
        });
    }

    private static Optional<AllowRule> allowRule(YamlNode node) {
        return node.mapping(ALLOW_KEYS).flatMap(rule -> {
            if (rule.size() != 1) {
                node.problem(rule.size() + " keys (expected: exactly one of " + String.join(", ", ALLOW_KEYS)
                        + "; write each rule as its own list item)");
                return Optional.empty();
            }
            if (rule.entries().isEmpty()) {
                return Optional.empty(); // its one key is unknown, already reported
            }
            YamlMapping.Entry entry = rule.entries().get(0);
            AllowRule.Kind kind = Arrays.stream(AllowRule.Kind.values())
                    .filter(k -> k.yamlName().equals(entry.key()))
                    .findFirst()
                    .orElseThrow();
            return entry.value().string()
                    .flatMap(value -> AllowValues.check(kind, entry.value(), value))
                    .flatMap(value -> node.problems().construct(entry.value(), () -> new AllowRule(kind, value)));
        });
    }
}
