package io.mtlsgateway.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Binds a listener's {@code tls} section, resolving its files against the route file's folder. */
final class TlsBinder {
    static final List<String> KEYS = List.of(
            "certificate", "privateKey", "clientAuth", "clientCa", "crl", "ocsp", "verifyDepth", "protocols",
            "sessionTickets", "sessionTicketKeys", "requireEku");
    static final List<TlsProtocol> DEFAULT_PROTOCOLS = List.of(TlsProtocol.TLS_1_3, TlsProtocol.TLS_1_2);
    private static final Set<String> LEGACY_PROTOCOLS =
            Set.of("sslv2", "sslv2hello", "sslv3", "tlsv1", "tlsv1.0", "tlsv1.1");

    private final Path baseDir;
    private final References refs;

    TlsBinder(Path baseDir, References refs) {
        this.baseDir = baseDir;
        this.refs = refs;
    }

    Optional<TlsConfig> bind(YamlNode node) {
        return node.mapping(KEYS).flatMap(this::bind);
    }

    private Optional<TlsConfig> bind(YamlMapping tls) {
        Optional<Path> certificate = tls.required("certificate", "a PEM certificate chain file", this::file);
        Optional<Path> privateKey = tls.required("privateKey", "a PEM private key file", this::file);
        Optional<ClientAuthMode> clientAuth = tls.optional(
                "clientAuth", n -> n.choice(ClientAuthMode.values(), ClientAuthMode::yamlName), ClientAuthMode.REQUIRE);
        // Optional<Optional<Path>>: outer empty = a problem was reported; inner empty = no client CA.
        Optional<Optional<Path>> clientCa;
        if (tls.get("clientCa").isPresent()) {
            clientCa = file(tls.get("clientCa").get()).map(Optional::of);
        } else if (clientAuth.isPresent() && clientAuth.get() != ClientAuthMode.NONE) {
            tls.owner().problem("missing key 'clientCa' (expected: a PEM file of client trust anchors;"
                    + " required unless clientAuth is none)");
            clientCa = Optional.empty();
        } else {
            clientCa = Optional.of(Optional.empty());
        }
        Optional<List<Path>> crl = tls.optional(
                "crl", n -> n.listOrSingle().flatMap(items -> Binding.each(items, this::file)), List.of());
        Optional<OcspMode> ocsp = tls.optional("ocsp", n -> n.choice(OcspMode.values(), OcspMode::yamlName), OcspMode.OFF);
        Optional<Integer> verifyDepth = tls.optional("verifyDepth", n -> n.integer(0, 16), TlsConfig.DEFAULT_VERIFY_DEPTH);
        Optional<List<TlsProtocol>> protocols = tls.optional("protocols", TlsBinder::protocols, DEFAULT_PROTOCOLS);
        Optional<Boolean> sessionTickets = tls.optional("sessionTickets", YamlNode::bool, true);
        Optional<List<Path>> ticketKeys = tls.optional(
                "sessionTicketKeys", n -> n.listOrSingle().flatMap(items -> Binding.each(items, this::file)), List.of());
        Optional<Boolean> requireEku = tls.optional("requireEku", YamlNode::bool, false);
        if (!Binding.allPresent(certificate, privateKey, clientAuth, clientCa, crl, ocsp, verifyDepth, protocols,
                sessionTickets, ticketKeys, requireEku)) {
            return Optional.empty();
        }
        if (!sessionTickets.get() && !ticketKeys.get().isEmpty()) {
            tls.get("sessionTicketKeys").get().problem(
                    "ticket keys for a listener with sessionTickets: false (expected: remove one of the two)");
            return Optional.empty();
        }
        return tls.owner().problems().construct(tls.owner(), () -> new TlsConfig(
                certificate.get(), privateKey.get(), clientAuth.get(), clientCa.get().orElse(null), crl.get(),
                ocsp.get(), verifyDepth.get(), protocols.get(), sessionTickets.get(), ticketKeys.get(),
                requireEku.get()));
    }

    /** A file path, absolute after resolving against the route file's folder; existence is checked later. */
    Optional<Path> file(YamlNode node) {
        return node.string().flatMap(text -> {
            Path path;
            try {
                path = baseDir.resolve(text).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                node.problem(node.describe() + " is not a valid path (" + e.getReason() + ")");
                return Optional.empty();
            }
            refs.files.add(new References.FileRef(path, node));
            return Optional.of(path);
        });
    }

    static Optional<List<TlsProtocol>> protocols(YamlNode node) {
        return node.list().flatMap(items -> {
            if (items.isEmpty()) {
                node.problem("empty list (expected: TLSv1.3 and/or TLSv1.2)");
                return Optional.empty();
            }
            Set<TlsProtocol> seen = new HashSet<>();
            return Binding.each(items, item -> protocol(item).filter(p -> {
                if (!seen.add(p)) {
                    item.problem(item.describe() + " is listed twice");
                    return false;
                }
                return true;
            }));
        });
    }

    private static Optional<TlsProtocol> protocol(YamlNode node) {
        return node.string().flatMap(text -> {
            for (TlsProtocol protocol : TlsProtocol.values()) {
                if (protocol.jsseName().equals(text)) {
                    return Optional.of(protocol);
                }
            }
            if (LEGACY_PROTOCOLS.contains(text.toLowerCase(Locale.ROOT))) {
                node.problem(node.describe() + " is not allowed (TLS 1.2+ only; expected: TLSv1.3, TLSv1.2)");
            } else {
                List<String> known = List.of(TlsProtocol.TLS_1_3.jsseName(), TlsProtocol.TLS_1_2.jsseName());
                node.problem(node.describe() + " " + Suggestions.expected(text, known, "TLSv1.3 or TLSv1.2"));
            }
            return Optional.empty();
        });
    }
}
