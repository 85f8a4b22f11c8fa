package io.mtlsgateway.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Binds an upstream's {@code tls} section, resolving its files against the route file's folder. */
final class UpstreamTlsBinder {
    static final List<String> KEYS =
            List.of("ca", "certificate", "privateKey", "serverName", "verify", "crl", "protocols");
    static final List<String> PIN_KEYS =
            List.of(AllowRule.Kind.SPIFFE.yamlName(), AllowRule.Kind.SAN_DNS.yamlName());

    /** Resolves and records file paths exactly as for listeners. */
    private final TlsBinder files;

    UpstreamTlsBinder(Path baseDir, References refs) {
        this.files = new TlsBinder(baseDir, refs);
    }

    Optional<UpstreamTlsConfig> bind(YamlNode node) {
        return node.mapping(KEYS).flatMap(this::bind);
    }

    private Optional<UpstreamTlsConfig> bind(YamlMapping tls) {
        Optional<Path> ca = tls.required("ca", "a PEM file of CA certificates the upstream's certificate chains to",
                this::file);
        Optional<Optional<Path>> certificate = tls.optional("certificate", n -> file(n).map(Optional::of),
                Optional.empty());
        Optional<Optional<Path>> privateKey = tls.optional("privateKey", n -> file(n).map(Optional::of),
                Optional.empty());
        if (tls.get("certificate").isPresent() != tls.get("privateKey").isPresent()) {
            String missing = tls.get("certificate").isPresent() ? "privateKey" : "certificate";
            tls.owner().problem("missing key '" + missing + "' (expected: certificate and privateKey together,"
                    + " the gateway's client certificate for mutual TLS, or neither)");
            return Optional.empty();
        }
        Optional<Optional<ServerName>> serverName = tls.optional("serverName",
                n -> serverName(n).map(Optional::of), Optional.empty());
        Optional<List<AllowRule>> verify = tls.optional("verify", UpstreamTlsBinder::pins, List.of());
        Optional<List<Path>> crl = tls.optional(
                "crl", n -> n.listOrSingle().flatMap(items -> Binding.each(items, this::file)), List.of());
        Optional<List<TlsProtocol>> protocols =
                tls.optional("protocols", TlsBinder::protocols, TlsBinder.DEFAULT_PROTOCOLS);
        if (!Binding.allPresent(ca, certificate, privateKey, serverName, verify, crl, protocols)) {
            return Optional.empty();
        }
        return tls.owner().problems().construct(tls.owner(), () -> new UpstreamTlsConfig(ca.get(), certificate.get(),
                privateKey.get(), serverName.get(), verify.get(), crl.get(), protocols.get()));
    }

    private Optional<Path> file(YamlNode node) {
        return files.file(node);
    }

    private static Optional<ServerName> serverName(YamlNode node) {
        return node.string().flatMap(text -> {
            try {
                return Optional.of(ServerName.parse(text));
            } catch (IllegalArgumentException e) {
                node.problem(e.getMessage() + " (expected: the DNS name or IP address the upstream's certificate"
                        + " is for; no wildcard)");
                return Optional.empty();
            }
        });
    }

    private static Optional<List<AllowRule>> pins(YamlNode node) {
        return node.list().flatMap(items -> {
            if (items.isEmpty()) {
                node.problem("empty list (expected: identity pins such as '- spiffe: spiffe://td/ns/prod/sa/api';"
                        + " leave verify out to check the server name instead)");
                return Optional.empty();
            }
            return Binding.each(items, UpstreamTlsBinder::pin);
        });
    }

    private static Optional<AllowRule> pin(YamlNode node) {
        return node.mapping(PIN_KEYS).flatMap(pin -> {
            if (pin.size() != 1) {
                node.problem("expected exactly one of spiffe, sanDns per pin (write one list item per pin)");
                return Optional.empty();
            }
            YamlMapping.Entry entry = pin.entries().isEmpty() ? null : pin.entries().get(0);
            if (entry == null) {
                return Optional.empty(); // an unknown key, reported by the mapping
            }
            AllowRule.Kind kind = entry.key().equals(AllowRule.Kind.SPIFFE.yamlName())
                    ? AllowRule.Kind.SPIFFE : AllowRule.Kind.SAN_DNS;
            return entry.value().string()
                    .flatMap(value -> AllowValues.check(kind, entry.value(), value))
                    .map(value -> new AllowRule(kind, value));
        });
    }
}
