package io.mtlsgateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Binds the {@code upstreams} mapping: upstream name to its endpoints and limits. */
final class UpstreamBinder {
    static final List<String> KEYS = List.of(
            "endpoints", "connectTimeout", "responseTimeout", "idleTimeout", "maxConnectionsPerEndpoint",
            "healthCheck", "loadBalancing", "maxPendingRequests", "outlierDetection", "reuse", "tls",
            "protocol");
    static final List<String> HEALTH_CHECK_KEYS =
            List.of("path", "interval", "timeout", "unhealthyThreshold", "healthyThreshold");
    static final List<String> OUTLIER_DETECTION_KEYS =
            List.of("consecutiveFailures", "baseEjection", "maxEjection");
    static final Duration DEFAULT_HEALTH_CHECK_INTERVAL = Duration.ofSeconds(5);

    private final References refs;
    private final UpstreamTlsBinder tlsBinder;

    UpstreamBinder(Path baseDir, References refs) {
        this.refs = refs;
        this.tlsBinder = new UpstreamTlsBinder(baseDir, refs);
    }

    Optional<Map<String, UpstreamConfig>> bind(YamlNode node) {
        Optional<YamlMapping> mapping = node.freeMapping();
        refs.upstreamNamesComplete = mapping.isPresent();
        return mapping.flatMap(upstreams -> {
            // Known before any body is read, so a route naming a broken upstream is not also "unknown".
            upstreams.entries().forEach(entry -> refs.upstreamNames.add(entry.key()));
            Map<String, UpstreamConfig> bound = new LinkedHashMap<>();
            boolean complete = true;
            for (YamlMapping.Entry entry : upstreams.entries()) {
                if (entry.key().isBlank()) {
                    entry.keyNode().problem("empty upstream name (expected: a name routes can refer to)");
                    complete = false;
                    continue;
                }
                Optional<UpstreamConfig> upstream =
                        entry.value().mapping(KEYS).flatMap(body -> upstream(entry.key(), body, tlsBinder));
                upstream.ifPresent(u -> bound.put(entry.key(), u));
                complete &= upstream.isPresent();
            }
            return complete ? Optional.of(bound) : Optional.empty();
        });
    }

    private static Optional<UpstreamConfig> upstream(String name, YamlMapping upstream, UpstreamTlsBinder tlsBinder) {
        Optional<List<HostPort>> endpoints = upstream.required("endpoints", "a list of host:port", UpstreamBinder::endpoints);
        Optional<Duration> connectTimeout = upstream.optional(
                "connectTimeout", YamlNode::positiveDuration, UpstreamConfig.DEFAULT_CONNECT_TIMEOUT);
        Optional<Duration> responseTimeout = upstream.optional(
                "responseTimeout", YamlNode::positiveDuration, UpstreamConfig.DEFAULT_RESPONSE_TIMEOUT);
        Optional<Duration> idleTimeout = upstream.optional(
                "idleTimeout", YamlNode::positiveDuration, UpstreamConfig.DEFAULT_IDLE_TIMEOUT);
        Optional<Integer> maxConnections = upstream.optional("maxConnectionsPerEndpoint",
                n -> n.integer(1, Integer.MAX_VALUE), UpstreamConfig.DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT);
        Optional<Optional<HealthCheckConfig>> healthCheck = upstream.optional(
                "healthCheck", n -> healthCheck(n).map(Optional::of), Optional.empty());
        Optional<LoadBalancing> loadBalancing = upstream.optional("loadBalancing",
                n -> n.choice(LoadBalancing.values(), LoadBalancing::yamlName), LoadBalancing.ROUND_ROBIN);
        Optional<Integer> maxPending = upstream.optional("maxPendingRequests",
                n -> n.integer(0, Integer.MAX_VALUE), UpstreamConfig.DEFAULT_MAX_PENDING_REQUESTS);
        Optional<OutlierDetectionConfig> outlierDetection = upstream.optional(
                "outlierDetection", UpstreamBinder::outlierDetection, OutlierDetectionConfig.defaults());
        Optional<ConnectionReuse> reuse = upstream.optional("reuse",
                n -> n.choice(ConnectionReuse.values(), ConnectionReuse::yamlName), ConnectionReuse.SAFE);
        Optional<Optional<UpstreamTlsConfig>> tls =
                upstream.optional("tls", n -> tlsBinder.bind(n).map(Optional::of), Optional.empty());
        Optional<UpstreamProtocol> protocol = upstream.optional("protocol",
                n -> n.choice(UpstreamProtocol.values(), UpstreamProtocol::yamlName), UpstreamProtocol.HTTP1);
        if (!Binding.allPresent(endpoints, connectTimeout, responseTimeout, idleTimeout, maxConnections, healthCheck,
                loadBalancing, maxPending, outlierDetection, reuse, tls, protocol)) {
            return Optional.empty();
        }
        if (!protocolFitsTls(protocol.get(), tls.get().isPresent(), upstream)) {
            return Optional.empty();
        }
        if (tls.get().isPresent() && tls.get().get().serverName().isEmpty()
                && !serverNamesFromEndpoints(endpoints.get(), upstream.get("tls").orElseThrow())) {
            return Optional.empty();
        }
        return upstream.owner().problems().construct(upstream.owner(), () -> new UpstreamConfig(
                name, endpoints.get(), connectTimeout.get(), responseTimeout.get(), idleTimeout.get(),
                maxConnections.get(), healthCheck.get(), loadBalancing.get(), maxPending.get(),
                outlierDetection.get(), reuse.get(), tls.get(), protocol.get()));
    }

    /** h2 is HTTP/2 over the upstream's TLS, h2c without any: a mismatch is reported at the protocol key. */
    private static boolean protocolFitsTls(UpstreamProtocol protocol, boolean tls, YamlMapping upstream) {
        if (protocol == UpstreamProtocol.H2 && !tls) {
            upstream.get("protocol").orElseThrow().problem(
                    "protocol h2 is HTTP/2 over TLS and needs a tls block (for cleartext HTTP/2 use h2c)");
            return false;
        }
        if (protocol == UpstreamProtocol.H2C && tls) {
            upstream.get("protocol").orElseThrow().problem(
                    "protocol h2c is cleartext HTTP/2 and cannot go with a tls block (for HTTP/2 over TLS use h2)");
            return false;
        }
        return true;
    }

    /** Without tls.serverName each endpoint's host is the name sent and checked, so it must be one. */
    private static boolean serverNamesFromEndpoints(List<HostPort> endpoints, YamlNode tls) {
        for (HostPort endpoint : endpoints) {
            try {
                ServerName.parse(endpoint.host());
            } catch (IllegalArgumentException e) {
                tls.problem("endpoint " + endpoint + " cannot serve as the TLS server name (" + e.getMessage()
                        + "); set tls.serverName to the name in the upstream's certificate");
                return false;
            }
        }
        return true;
    }

    private static Optional<List<HostPort>> endpoints(YamlNode node) {
        return node.list().flatMap(items -> {
            if (items.isEmpty()) {
                node.problem("empty list (expected: at least one host:port)");
                return Optional.empty();
            }
            return Binding.each(items, item -> item.hostPort().filter(endpoint -> {
                if (endpoint.port() == 0) {
                    item.problem("'" + endpoint + "' has port 0 (expected: 1..65535)");
                    return false;
                }
                return true;
            }));
        });
    }

    private static Optional<HealthCheckConfig> healthCheck(YamlNode node) {
        return node.mapping(HEALTH_CHECK_KEYS).flatMap(check -> {
            Optional<String> path = check.required("path", "a path such as /health", Binding::absolutePath);
            Optional<Duration> interval =
                    check.optional("interval", YamlNode::positiveDuration, DEFAULT_HEALTH_CHECK_INTERVAL);
            Optional<Duration> timeout =
                    check.optional("timeout", YamlNode::positiveDuration, HealthCheckConfig.DEFAULT_TIMEOUT);
            Optional<Integer> unhealthy = check.optional("unhealthyThreshold", n -> n.integer(1, 1000),
                    HealthCheckConfig.DEFAULT_UNHEALTHY_THRESHOLD);
            Optional<Integer> healthy = check.optional("healthyThreshold", n -> n.integer(1, 1000),
                    HealthCheckConfig.DEFAULT_HEALTHY_THRESHOLD);
            if (!Binding.allPresent(path, interval, timeout, unhealthy, healthy)) {
                return Optional.empty();
            }
            return node.problems().construct(node, () -> new HealthCheckConfig(
                    path.get(), interval.get(), timeout.get(), unhealthy.get(), healthy.get()));
        });
    }

    private static Optional<OutlierDetectionConfig> outlierDetection(YamlNode node) {
        return node.mapping(OUTLIER_DETECTION_KEYS).flatMap(detection -> {
            Optional<Integer> failures = detection.optional("consecutiveFailures", n -> n.integer(0, 1_000_000),
                    OutlierDetectionConfig.DEFAULT_CONSECUTIVE_FAILURES);
            Optional<Duration> base = detection.optional("baseEjection", YamlNode::positiveDuration,
                    OutlierDetectionConfig.DEFAULT_BASE_EJECTION);
            Optional<Duration> max = detection.optional("maxEjection", YamlNode::positiveDuration,
                    OutlierDetectionConfig.DEFAULT_MAX_EJECTION);
            if (!Binding.allPresent(failures, base, max)) {
                return Optional.empty();
            }
            return node.problems().construct(node, () -> new OutlierDetectionConfig(
                    failures.get(), base.get(), max.get()));
        });
    }
}
