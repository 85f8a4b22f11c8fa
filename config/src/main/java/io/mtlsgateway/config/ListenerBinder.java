package io.mtlsgateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Binds one entry of {@code listeners}. */
final class ListenerBinder {
    static final List<String> KEYS = List.of("name", "listen", "tls", "allowPlaintext", "identityHeaders", "xfcc",
            "rfc9440", "http", "limits", "alpn", "http2",
            "hosts", "default");
    static final List<String> HTTP2_KEYS = List.of("maxConcurrentStreams", "maxHeaderListSize", "maxConnectionAge",
            "maxRequestsPerConnection");
    /** The {@code tls} value of an egress listener: plain HTTP in. */
    static final String NO_TLS = "none";
    static final List<String> HTTP_KEYS = List.of("maxHeaderCount", "headerReadTimeout", "idleTimeout", "via",
            "bodyReadTimeout", "minBodyRate");

    private final References refs;
    private final TlsBinder tlsBinder;
    private final HostBinder hostBinder;

    ListenerBinder(Path baseDir, References refs) {
        this.refs = refs;
        this.tlsBinder = new TlsBinder(baseDir, refs);
        this.hostBinder = new HostBinder(tlsBinder);
    }

    Optional<ListenerConfig> bind(YamlNode node) {
        return node.mapping(KEYS).flatMap(this::bind);
    }

    private Optional<ListenerConfig> bind(YamlMapping listener) {
        Optional<String> name = listener.required("name", "a listener name", YamlNode::string);
        name.ifPresent(n -> refs.listenerNames.add(new References.Named(n, listener.get("name").get())));
        String owner = name.map(n -> "listener '" + YamlNode.show(n) + "'").orElse(listener.owner().path());
        Optional<HostPort> listen = listener.required("listen", "host:port such as 0.0.0.0:8443", n -> {
            Optional<HostPort> address = n.hostPort();
            address.ifPresent(a -> refs.listens.add(new References.Listen(a, n, owner)));
            return address;
        });
        boolean plaintext = listener.get("tls").filter(n -> n.isScalar(NO_TLS)).isPresent();
        Optional<ListenerHosts> hosts = listener.get("hosts").isEmpty() ? hostlessDefault(listener)
                : hostBinder.bind(listener.get("hosts").get(), listener.get("default"));
        // Optional<Optional<TlsConfig>>: outer empty = a problem was reported; inner empty = tls: none.
        Optional<Optional<TlsConfig>> tls;
        if (listener.get("hosts").isPresent()) {
            // Listener-wide TLS settings (protocols, tickets) come from the default entry.
            listener.get("tls").ifPresent(n -> n.problem("a listener has either tls or hosts, not both"
                    + " (expected: each entry of hosts carries its own tls)"));
            tls = listener.get("tls").isPresent() ? Optional.empty()
                    : hosts.map(h -> Optional.of(h.defaultEntry().orElse(h.entries().get(0)).tls()));
        } else {
            tls = listener.required("tls",
                    "a mapping with certificate, privateKey, clientCa; or none for plain HTTP (egress sidecar);"
                            + " or hosts",
                    n -> plaintext ? Optional.of(Optional.<TlsConfig>empty()) : tlsBinder.bind(n).map(Optional::of));
        }
        Optional<Boolean> allowPlaintext = listener.optional("allowPlaintext", YamlNode::bool, false);
        Optional<Map<String, IdentityTemplate>> identityHeaders =
                listener.optional("identityHeaders", ListenerBinder::identityHeaders, Map.of());
        identityHeaders.ifPresent(headers ->
                headers.keySet().forEach(header -> refs.identityHeaderNames.add(HeaderNames.canonical(header))));
        Optional<XfccMode> xfcc = listener.optional(
                "xfcc", n -> n.choice(XfccMode.values(), XfccMode::yamlName), XfccMode.SANITIZE_SET);
        Optional<Boolean> rfc9440 = listener.optional("rfc9440", YamlNode::bool, false);
        Optional<HttpSettings> http = listener.optional("http", ListenerBinder::http, HttpSettings.defaults());
        Optional<LimitsConfig> limits = listener.optional("limits", LimitsBinder::listener, LimitsConfig.NONE);
        Optional<List<ApplicationProtocol>> alpn = listener.optional("alpn", ListenerBinder::alpn,
                ListenerConfig.DEFAULT_ALPN);
        Optional<Http2Limits> http2 = listener.optional("http2", ListenerBinder::http2, Http2Limits.defaults());
        if (!Binding.allPresent(name, listen, tls, allowPlaintext, identityHeaders, xfcc, rfc9440, http, limits,
                alpn, http2, hosts)) {
            return Optional.empty();
        }
        if (!PlaintextListeners.check(listener, plaintext, listen.get(), allowPlaintext.get(), identityHeaders.get(),
                xfcc.get(), rfc9440.get())) {
            return Optional.empty();
        }
        if (plaintext) {
            refs.plaintextListeners.add(new References.Named(name.get(), listener.get("tls").orElseThrow()));
        }
        return listener.owner().problems().construct(listener.owner(), () -> new ListenerConfig(
                name.get(), listen.get(), tls.get().orElse(null), identityHeaders.get(), xfcc.get(), rfc9440.get(),
                http.get(), limits.get(), allowPlaintext.get(), alpn.get(), http2.get(), hosts.get()));
    }

    /** No hosts: a {@code default} has nothing to name. */
    private static Optional<ListenerHosts> hostlessDefault(YamlMapping listener) {
        if (listener.get("default").isPresent()) {
            listener.get("default").get().problem("default names an entry of hosts, and this listener has none"
                    + " (expected: hosts: [{names, tls}] next to default)");
            return Optional.empty();
        }
        return Optional.of(ListenerHosts.NONE);
    }

    private static Optional<HttpSettings> http(YamlNode node) {
        return node.mapping(HTTP_KEYS).flatMap(http -> {
            Optional<Integer> maxHeaderCount = http.optional("maxHeaderCount", n -> n.integer(1, 10_000),
                    HttpSettings.DEFAULT_MAX_HEADER_COUNT);
            Optional<Duration> headerReadTimeout = http.optional("headerReadTimeout",
                    YamlNode::positiveDuration, HttpSettings.DEFAULT_HEADER_READ_TIMEOUT);
            Optional<Duration> idleTimeout = http.optional("idleTimeout", YamlNode::positiveDuration,
                    HttpSettings.DEFAULT_IDLE_TIMEOUT);
            Optional<Boolean> via = http.optional("via", YamlNode::bool, false);
            Optional<Duration> bodyReadTimeout = http.optional("bodyReadTimeout", YamlNode::positiveDuration,
                    HttpSettings.DEFAULT_BODY_READ_TIMEOUT);
            Optional<Integer> minBodyRate = http.optional("minBodyRate", n -> n.integer(0, Integer.MAX_VALUE),
                    HttpSettings.DEFAULT_MIN_BODY_RATE);
            if (!Binding.allPresent(maxHeaderCount, headerReadTimeout, idleTimeout, via, bodyReadTimeout, minBodyRate)) {
                return Optional.empty();
            }
            return node.problems().construct(node, () -> new HttpSettings(maxHeaderCount.get(),
                    headerReadTimeout.get(), idleTimeout.get(), via.get(), bodyReadTimeout.get(), minBodyRate.get()));
        });
    }

    private static Optional<List<ApplicationProtocol>> alpn(YamlNode node) {
        return node.list().flatMap(items -> {
            if (items.isEmpty()) {
                node.problem("empty list (expected: h2 and/or http/1.1)");
                return Optional.empty();
            }
            Set<ApplicationProtocol> seen = new HashSet<>();
            return Binding.each(items, item -> applicationProtocol(item).filter(p -> {
                if (!seen.add(p)) {
                    item.problem(item.describe() + " is listed twice");
                    return false;
                }
                return true;
            }));
        });
    }

    private static Optional<ApplicationProtocol> applicationProtocol(YamlNode node) {
        return node.string().flatMap(text -> {
            for (ApplicationProtocol protocol : ApplicationProtocol.values()) {
                if (protocol.alpnName().equals(text)) {
                    return Optional.of(protocol);
                }
            }
            List<String> known = List.of(ApplicationProtocol.H2.alpnName(), ApplicationProtocol.HTTP_1_1.alpnName());
            node.problem(node.describe() + " " + Suggestions.expected(text, known, "h2 or http/1.1"));
            return Optional.empty();
        });
    }

    private static Optional<Http2Limits> http2(YamlNode node) {
        return node.mapping(HTTP2_KEYS).flatMap(http2 -> {
            Optional<Integer> streams = http2.optional("maxConcurrentStreams", n -> n.integer(1, 10_000),
                    Http2Limits.DEFAULT_MAX_CONCURRENT_STREAMS);
            Optional<Integer> headerList = http2.optional("maxHeaderListSize", n -> n.integer(1024, 1024 * 1024),
                    Http2Limits.DEFAULT_MAX_HEADER_LIST_SIZE);
            Optional<Duration> age = http2.optional("maxConnectionAge", YamlNode::positiveDuration,
                    Http2Limits.DEFAULT_MAX_CONNECTION_AGE);
            Optional<Integer> requests = http2.optional("maxRequestsPerConnection",
                    n -> n.integer(1, Integer.MAX_VALUE), Http2Limits.DEFAULT_MAX_REQUESTS_PER_CONNECTION);
            if (!Binding.allPresent(streams, headerList, age, requests)) {
                return Optional.empty();
            }
            return node.problems().construct(node, () -> new Http2Limits(
                    streams.get(), headerList.get(), age.get(), requests.get()));
        });
    }

    private static Optional<Map<String, IdentityTemplate>> identityHeaders(YamlNode node) {
        return node.freeMapping().flatMap(headers -> {
            Map<String, IdentityTemplate> templates = new LinkedHashMap<>();
            Map<String, YamlNode> seen = new HashMap<>();
            boolean complete = true;
            for (YamlMapping.Entry entry : headers.entries()) {
                boolean nameOk = identityHeaderName(entry.key(), entry.keyNode(), seen);
                Optional<IdentityTemplate> template = entry.value().string().flatMap(text -> {
                    try {
                        return Optional.of(IdentityTemplate.parse(text));
                    } catch (IllegalArgumentException e) {
                        entry.value().problem(e.getMessage());
                        return Optional.empty();
                    }
                });
                template.ifPresent(t -> templates.put(entry.key(), t));
                complete &= nameOk && template.isPresent();
            }
            return complete ? Optional.of(templates) : Optional.empty();
        });
    }

    private static boolean identityHeaderName(String name, YamlNode keyNode, Map<String, YamlNode> seen) {
        if (!HeaderNames.isToken(name)) {
            keyNode.problem("not a valid header name (expected: letters, digits and !#$%&'*+-.^_`|~ only)");
            return false;
        }
        Optional<String> reserved = HeaderNames.reservedReason(name);
        if (reserved.isPresent()) {
            keyNode.problem("'" + name + "' cannot be an identity header (" + reserved.get() + ")");
            return false;
        }
        YamlNode first = seen.putIfAbsent(HeaderNames.canonical(name), keyNode);
        if (first != null) {
            keyNode.problem("same header as the one at line " + first.line()
                    + " (header names ignore case, and '_' counts as '-')");
            return false;
        }
        return true;
    }
}
