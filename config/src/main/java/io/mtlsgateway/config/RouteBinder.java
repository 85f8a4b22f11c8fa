package io.mtlsgateway.config;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Binds one entry of {@code routes}. */
final class RouteBinder {
    static final List<String> KEYS = List.of("name", "match", "upstream", "allow", "rewritePrefix", "jwt", "allowClaims",
            "limits", "clientCert");
    static final List<String> JWT_KEYS = List.of("issuer", "required");
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
        Optional<Optional<RouteJwt>> jwt = route.optional("jwt", n -> jwt(n).map(Optional::of), Optional.empty());
        Optional<List<ClaimRule>> allowClaims = route.optional("allowClaims", RouteBinder::allowClaims, List.of());
        if (allowClaims.isPresent() && !allowClaims.get().isEmpty() && route.get("jwt").isEmpty()) {
            route.get("allowClaims").orElseThrow().problem("needs a token to judge (expected: jwt: { issuer: NAME }"
                    + " on this route)");
            return Optional.empty();
        }
        Optional<LimitsConfig> limits = route.optional("limits", LimitsBinder::route, LimitsConfig.NONE);
        Optional<ClientCertRequirement> clientCert = route.optional("clientCert",
                n -> n.choice(ClientCertRequirement.values(), ClientCertRequirement::yamlName),
                ClientCertRequirement.REQUIRED);
        if (!Binding.allPresent(name, match, upstream, allow, rewritePrefix, jwt, allowClaims, limits, clientCert)) {
            return Optional.empty();
        }
        return route.owner().problems().construct(route.owner(), () -> new RouteConfig(
                name.get(), match.get(), upstream.get(), allow.get(), rewritePrefix.get(), jwt.get(),
                allowClaims.get(), limits.get(), clientCert.get()));
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

    private Optional<RouteJwt> jwt(YamlNode node) {
        return node.mapping(JWT_KEYS).flatMap(jwt -> {
            Optional<String> issuer = jwt.required("issuer", "the name of an entry of the top-level jwt mapping", n -> {
                Optional<String> reference = n.string();
                reference.ifPresent(r -> refs.jwtIssuerReferences.add(new References.Named(r, n)));
                return reference;
            });
            Optional<Boolean> required = jwt.optional("required", YamlNode::bool, true);
            if (!Binding.allPresent(issuer, required)) {
                return Optional.empty();
            }
            return Optional.of(new RouteJwt(issuer.get(), required.get()));
        });
    }

    private static Optional<List<ClaimRule>> allowClaims(YamlNode node) {
        return node.list().flatMap(rules -> {
            if (rules.isEmpty()) {
                node.problem("empty list allows no token (remove 'allowClaims' to allow any valid token)");
                return Optional.empty();
            }
            return Binding.each(rules, RouteBinder::claimRule);
        });
    }

    /** {@code { scope: payments:write, amr: [hwk, pin] }}: every claim must hold every value listed. */
    private static Optional<ClaimRule> claimRule(YamlNode node) {
        return node.freeMapping().flatMap(rule -> {
            if (rule.entries().isEmpty()) {
                node.problem("empty (expected: claims such as { scope: payments:write })");
                return Optional.empty();
            }
            Map<String, List<String>> claims = new LinkedHashMap<>();
            boolean complete = true;
            for (YamlMapping.Entry entry : rule.entries()) {
                Optional<List<String>> values = entry.value().listOrSingle().flatMap(items -> {
                    if (items.isEmpty()) {
                        entry.value().problem("empty list (expected: at least one value)");
                        return Optional.empty();
                    }
                    return Binding.each(items, YamlNode::string);
                });
                values.ifPresent(v -> claims.put(entry.key(), v));
                complete &= values.isPresent();
            }
            return complete ? node.problems().construct(node, () -> new ClaimRule(claims)) : Optional.empty();
        });
    }
}
