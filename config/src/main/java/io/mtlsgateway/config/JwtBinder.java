package io.mtlsgateway.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Binds the top-level {@code jwt} mapping: issuer name to how its tokens are validated. */
final class JwtBinder {
    static final List<String> KEYS = List.of(
            "issuer", "audiences", "jwks", "algorithms", "clockSkew", "certificateBound", "claimHeaders", "typ",
            "maxTokenSize", "forwardToken");
    static final List<String> JWKS_KEYS = List.of("file", "url", "maxStale");
    /** Skew beyond this is a clock problem to fix, not to paper over. */
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(10);

    private final Path baseDir;
    private final References refs;

    JwtBinder(Path baseDir, References refs) {
        this.baseDir = baseDir;
        this.refs = refs;
    }

    Optional<Map<String, JwtIssuerConfig>> bind(YamlNode node) {
        Optional<YamlMapping> mapping = node.freeMapping();
        refs.jwtIssuerNamesComplete = mapping.isPresent();
        return mapping.flatMap(issuers -> {
            // Known before any body is read, so a route naming a broken issuer is not also "unknown".
            issuers.entries().forEach(entry -> refs.jwtIssuerNames.add(entry.key()));
            Map<String, JwtIssuerConfig> bound = new LinkedHashMap<>();
            boolean complete = true;
            for (YamlMapping.Entry entry : issuers.entries()) {
                if (entry.key().isBlank()) {
                    entry.keyNode().problem("empty issuer name (expected: a name routes can refer to)");
                    complete = false;
                    continue;
                }
                Optional<JwtIssuerConfig> issuer =
                        entry.value().mapping(KEYS).flatMap(body -> issuer(entry.key(), body));
                issuer.ifPresent(i -> bound.put(entry.key(), i));
                complete &= issuer.isPresent();
            }
            return complete ? Optional.of(bound) : Optional.empty();
        });
    }

    private Optional<JwtIssuerConfig> issuer(String name, YamlMapping issuer) {
        Optional<String> iss = issuer.required("issuer", "the exact 'iss' of the tokens, such as https://idp.example",
                YamlNode::string);
        Optional<List<String>> audiences = issuer.required("audiences", "a list of accepted 'aud' values",
                n -> n.listOrSingle().flatMap(items -> nonEmpty(n, items, "an audience"))
                        .flatMap(items -> Binding.each(items, YamlNode::string)));
        Optional<JwksSource> jwks = issuer.required("jwks", "{ file: PATH } or { url: https://... }", this::jwks);
        Optional<List<String>> algorithms =
                issuer.optional("algorithms", JwtBinder::algorithms, JwtIssuerConfig.DEFAULT_ALGORITHMS);
        Optional<Duration> clockSkew =
                issuer.optional("clockSkew", JwtBinder::clockSkew, JwtIssuerConfig.DEFAULT_CLOCK_SKEW);
        Optional<CertificateBinding> bound = issuer.optional("certificateBound",
                n -> n.choice(CertificateBinding.values(), CertificateBinding::yamlName), CertificateBinding.REQUIRED);
        Optional<Map<String, String>> claimHeaders = issuer.optional("claimHeaders", this::claimHeaders, Map.of());
        Optional<Optional<String>> typ = issuer.optional("typ", n -> n.string().map(Optional::of), Optional.empty());
        Optional<Integer> maxTokenSize = issuer.optional("maxTokenSize",
                n -> n.integer(JwtIssuerConfig.MIN_MAX_TOKEN_SIZE, JwtIssuerConfig.MAX_MAX_TOKEN_SIZE),
                JwtIssuerConfig.DEFAULT_MAX_TOKEN_SIZE);
        Optional<Boolean> forwardToken = issuer.optional("forwardToken", YamlNode::bool, true);
        if (!Binding.allPresent(iss, audiences, jwks, algorithms, clockSkew, bound, claimHeaders, typ, maxTokenSize,
                forwardToken)) {
            return Optional.empty();
        }
        return issuer.owner().problems().construct(issuer.owner(), () -> new JwtIssuerConfig(
                name, iss.get(), audiences.get(), jwks.get(), algorithms.get(), clockSkew.get(), bound.get(),
                claimHeaders.get(), typ.get(), maxTokenSize.get(), forwardToken.get()));
    }

    private static Optional<List<YamlNode>> nonEmpty(YamlNode node, List<YamlNode> items, String what) {
        if (items.isEmpty()) {
            node.problem("empty list (expected: at least " + what + ")");
            return Optional.empty();
        }
        return Optional.of(items);
    }

    private Optional<JwksSource> jwks(YamlNode node) {
        return node.mapping(JWKS_KEYS).flatMap(jwks -> {
            boolean file = jwks.get("file").isPresent();
            boolean url = jwks.get("url").isPresent();
            if (file == url) {
                node.problem(file ? "both 'file' and 'url' (expected: one of them)"
                        : "neither 'file' nor 'url' (expected: { file: PATH } or { url: https://... })");
                return Optional.empty();
            }
            if (file) {
                if (jwks.get("maxStale").isPresent()) {
                    jwks.get("maxStale").get().problem("only a JWKS url can go stale (a file is re-read when it changes)");
                    return Optional.empty();
                }
                return Binding.file(jwks.get("file").get(), baseDir, refs).map(JwksSource.File::new);
            }
            Optional<URI> uri = url(jwks.get("url").get());
            Optional<Duration> maxStale =
                    jwks.optional("maxStale", YamlNode::positiveDuration, JwksSource.Url.DEFAULT_MAX_STALE);
            if (!Binding.allPresent(uri, maxStale)) {
                return Optional.empty();
            }
            return node.problems().construct(node, () -> new JwksSource.Url(uri.get(), maxStale.get()));
        });
    }

    /** HTTPS; plain HTTP only to a loopback address, where nobody on the network can swap the keys. */
    private static Optional<URI> url(YamlNode node) {
        return node.string().flatMap(text -> {
            URI uri;
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                node.problem(node.describe() + " is not a URL (" + e.getReason() + ")");
                return Optional.empty();
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
                node.unexpected("an https:// URL with a host");
                return Optional.empty();
            }
            if (uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
                node.problem("a JWKS URL cannot carry credentials or a #fragment");
                return Optional.empty();
            }
            if (scheme.equals("http") && !isLoopback(uri.getHost())) {
                node.problem(node.describe() + " is plain HTTP (expected: https://; anyone on the path could"
                        + " replace the keys; plain http is accepted only from a loopback address)");
                return Optional.empty();
            }
            return Optional.of(uri);
        });
    }

    private static boolean isLoopback(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (bare.equalsIgnoreCase("localhost")) {
            return true;
        }
        // Literal addresses only: resolving a name here would make the check depend on DNS.
        boolean literal = bare.contains(":") || bare.matches("[0-9.]+");
        try {
            return literal && InetAddress.getByName(bare).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static Optional<List<String>> algorithms(YamlNode node) {
        return node.listOrSingle().flatMap(items -> nonEmpty(node, items, "one algorithm")).flatMap(items -> {
            Set<String> seen = new HashSet<>();
            return Binding.each(items, item -> item.string().filter(name -> {
                if (!JwtIssuerConfig.SUPPORTED_ALGORITHMS.contains(name)) {
                    item.problem(item.describe() + " " + algorithmProblem(name));
                    return false;
                }
                if (!seen.add(name)) {
                    item.problem(item.describe() + " is listed twice");
                    return false;
                }
                return true;
            }));
        });
    }

    private static String algorithmProblem(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        String expected = "one of " + String.join(", ", JwtIssuerConfig.SUPPORTED_ALGORITHMS);
        if (upper.equals("NONE")) {
            return "is an unsigned token, never accepted (expected: " + expected + ")";
        }
        if (upper.startsWith("HS")) {
            return "is HMAC, a shared secret the gateway never holds: tokens are verified with the issuer's"
                    + " public keys (expected: " + expected + ")";
        }
        return Suggestions.expected(name, JwtIssuerConfig.SUPPORTED_ALGORITHMS, expected);
    }

    private static Optional<Duration> clockSkew(YamlNode node) {
        return node.string().flatMap(text -> {
            Duration value;
            try {
                value = Durations.parse(text);
            } catch (IllegalArgumentException e) {
                node.problem(e.getMessage());
                return Optional.empty();
            }
            if (value.compareTo(MAX_CLOCK_SKEW) > 0) {
                node.problem(text.trim() + " (expected: at most 10m; fix the clocks instead)");
                return Optional.empty();
            }
            return Optional.of(value);
        });
    }

    private Optional<Map<String, String>> claimHeaders(YamlNode node) {
        return node.freeMapping().flatMap(headers -> {
            Map<String, String> claims = new LinkedHashMap<>();
            Map<String, YamlNode> seen = new HashMap<>();
            boolean complete = true;
            for (YamlMapping.Entry entry : headers.entries()) {
                boolean nameOk = claimHeaderName(entry.key(), entry.keyNode(), seen);
                if (nameOk) {
                    refs.claimHeaders.add(new References.Named(entry.key(), entry.keyNode()));
                }
                Optional<String> claim = entry.value().string();
                claim.ifPresent(c -> claims.put(entry.key(), c));
                complete &= nameOk && claim.isPresent();
            }
            return complete ? Optional.of(claims) : Optional.empty();
        });
    }

    private static boolean claimHeaderName(String name, YamlNode keyNode, Map<String, YamlNode> seen) {
        if (!HeaderNames.isToken(name)) {
            keyNode.problem("not a valid header name (expected: letters, digits and !#$%&'*+-.^_`|~ only)");
            return false;
        }
        Optional<String> reserved = HeaderNames.reservedReason(name);
        if (reserved.isEmpty() && HeaderNames.isClientClaim(name)) {
            reserved = Optional.of("the gateway sets it about the connection");
        }
        if (reserved.isEmpty() && HeaderNames.canonical(name).equals("authorization")) {
            reserved = Optional.of("it carries the token itself; see forwardToken");
        }
        if (reserved.isPresent()) {
            keyNode.problem("'" + name + "' cannot be a claim header (" + reserved.get() + ")");
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
