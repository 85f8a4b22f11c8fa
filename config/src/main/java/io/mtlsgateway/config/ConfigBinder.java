package io.mtlsgateway.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.MappingNode;

/**
 * Binds the root of a route file into a {@link GatewayConfig}, reporting every problem it finds
 * on the way; what only the whole file can judge is left in {@link References} for the validator.
 */
final class ConfigBinder {
    static final int SCHEMA_VERSION = 1;
    static final List<String> KEYS =
            List.of("version", "workers", "transport", "admin", "drainTimeout", "accessLog", "listeners", "jwt",
                    "routes", "upstreams");
    static final List<String> ADMIN_KEYS = List.of("listen");
    static final List<String> ACCESS_LOG_KEYS = List.of("enabled", "path");
    /** The {@code accessLog.path} value meaning standard output rather than a file. */
    static final String STDOUT = "stdout";

    private final Path source;
    private final Path baseDir;
    private final References refs;
    private final ListenerBinder listenerBinder;
    private final RouteBinder routeBinder;
    private final UpstreamBinder upstreamBinder;
    private final JwtBinder jwtBinder;

    /**
     * @param source the route file, absolute; relative paths in it resolve against its folder
     */
    ConfigBinder(Path source, Path baseDir, References refs) {
        this.source = source;
        this.baseDir = baseDir;
        this.refs = refs;
        this.listenerBinder = new ListenerBinder(baseDir, refs);
        this.routeBinder = new RouteBinder(refs);
        this.upstreamBinder = new UpstreamBinder(baseDir, refs);
        this.jwtBinder = new JwtBinder(baseDir, refs);
    }

    Optional<GatewayConfig> bind(YamlNode root) {
        if (!(root.node() instanceof MappingNode)) {
            root.problem("the route file is " + root.describe()
                    + " (expected: a mapping with version, listeners, routes and upstreams)");
            return Optional.empty();
        }
        // The version decides what every other key means, so it is judged before any of them.
        YamlMapping anyKeys = root.freeMapping().orElseThrow();
        Optional<Integer> version = anyKeys.required(
                "version", "version: " + SCHEMA_VERSION, n -> n.integer(Integer.MIN_VALUE, Integer.MAX_VALUE));
        if (version.isPresent() && version.get() != SCHEMA_VERSION) {
            anyKeys.get("version").orElseThrow().problem(version.get() + " (expected: " + SCHEMA_VERSION
                    + ", the only route file schema this gateway reads)");
            return Optional.empty();
        }
        return root.mapping(KEYS).flatMap(mapping -> bind(mapping, version));
    }

    private Optional<GatewayConfig> bind(YamlMapping root, Optional<Integer> version) {
        Optional<Integer> workers = root.optional(
                "workers", n -> n.integer(1, Integer.MAX_VALUE), Runtime.getRuntime().availableProcessors());
        Optional<Transport> transport = root.optional(
                "transport", n -> n.choice(Transport.values(), Transport::yamlName), Transport.AUTO);
        Optional<AdminConfig> admin =
                root.optional("admin", this::admin, new AdminConfig(AdminConfig.DEFAULT_LISTEN));
        if (admin.isPresent() && refs.listens.isEmpty()) {
            // The default admin address is taken too: a listener on it could never bind.
            refs.listens.add(new References.Listen(admin.get().listen(), null, "the admin endpoint (default)"));
        }
        Optional<Duration> drainTimeout =
                root.optional("drainTimeout", YamlNode::positiveDuration, GatewayConfig.DEFAULT_DRAIN_TIMEOUT);
        Optional<AccessLogConfig> accessLog = root.optional("accessLog", this::accessLog, AccessLogConfig.DEFAULT);
        Optional<List<ListenerConfig>> listeners =
                root.required("listeners", "a list of listeners", this::listeners);
        Optional<Map<String, JwtIssuerConfig>> jwt = root.optional("jwt", jwtBinder::bind, Map.of());
        Optional<List<RouteConfig>> routes = root.optional(
                "routes", n -> n.list().flatMap(items -> Binding.each(items, routeBinder::bind)), List.of());
        Optional<Map<String, UpstreamConfig>> upstreams = root.optional("upstreams", upstreamBinder::bind, Map.of());
        if (!Binding.allPresent(version, workers, transport, admin, drainTimeout, accessLog, listeners, jwt,
                routes, upstreams)) {
            return Optional.empty();
        }
        return root.owner().problems().construct(root.owner(), () -> new GatewayConfig(
                source, workers.get(), transport.get(), admin.get(), listeners.get(), routes.get(), upstreams.get(),
                drainTimeout.get(), accessLog.get(), jwt.get()));
    }

    private Optional<AdminConfig> admin(YamlNode node) {
        return node.mapping(ADMIN_KEYS).flatMap(admin -> {
            Optional<HostPort> listen = admin.optional("listen", n -> {
                Optional<HostPort> address = n.hostPort();
                address.ifPresent(a -> refs.listens.add(new References.Listen(a, n, "admin.listen")));
                return address;
            }, AdminConfig.DEFAULT_LISTEN);
            return listen.map(AdminConfig::new);
        });
    }

    /** {@code stdout}, or a file relative to the route file's folder. */
    private Optional<Optional<Path>> logPath(YamlNode node) {
        return node.string().flatMap(text -> {
            if (text.equals(STDOUT)) {
                return Optional.of(Optional.<Path>empty());
            }
            try {
                return Optional.of(Optional.of(baseDir.resolve(text).toAbsolutePath().normalize()));
            } catch (InvalidPathException e) {
                node.problem(node.describe() + " is not a valid path (" + e.getReason() + ")");
                return Optional.empty();
            }
        });
    }

    private Optional<AccessLogConfig> accessLog(YamlNode node) {
        return node.mapping(ACCESS_LOG_KEYS).flatMap(log -> {
            Optional<Boolean> enabled = log.optional("enabled", YamlNode::bool, true);
            // A log file need not exist yet (the gateway creates it), so it is not a checked reference.
            Optional<Optional<Path>> file = log.optional("path", this::logPath, Optional.empty());
            if (!Binding.allPresent(enabled, file)) {
                return Optional.empty();
            }
            return Optional.of(new AccessLogConfig(enabled.get(), file.get()));
        });
    }

    private Optional<List<ListenerConfig>> listeners(YamlNode node) {
        return node.list().flatMap(items -> {
            if (items.isEmpty()) {
                node.problem("empty list (expected: at least one listener)");
                return Optional.empty();
            }
            return Binding.each(items, listenerBinder::bind);
        });
    }
}
