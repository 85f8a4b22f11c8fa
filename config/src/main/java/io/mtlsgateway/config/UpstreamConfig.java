package io.mtlsgateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A pool of HTTP endpoints that routes forward to, over plain TCP or, with {@code tls}, TLS.
 *
 * @param maxConnectionsPerEndpoint open connections per endpoint, shared out between event loops
 * @param maxPendingRequests requests that may wait for a connection when every one is busy; more
 *     get 503 at once (0: no waiting)
 * @param reuse whether a connection may go to another client right after a response
 * @param tls TLS (and mutual TLS) to the endpoints; empty means plain HTTP
 * @param protocol the HTTP version spoken to the endpoints; {@code h2} needs {@code tls}, {@code h2c} refuses it
 */
public record UpstreamConfig(
        String name,
        List<HostPort> endpoints,
        Duration connectTimeout,
        Duration responseTimeout,
        Duration idleTimeout,
        int maxConnectionsPerEndpoint,
        Optional<HealthCheckConfig> healthCheck,
        LoadBalancing loadBalancing,
        int maxPendingRequests,
        OutlierDetectionConfig outlierDetection,
        ConnectionReuse reuse,
        Optional<UpstreamTlsConfig> tls,
        UpstreamProtocol protocol) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT = 1024;
    public static final int DEFAULT_MAX_PENDING_REQUESTS = 1024;

    public UpstreamConfig {
        Objects.requireNonNull(name, "name");
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints: empty (expected: at least one host:port)");
        }
        Durations.requirePositive("connectTimeout", connectTimeout);
        Durations.requirePositive("responseTimeout", responseTimeout);
        Durations.requirePositive("idleTimeout", idleTimeout);
        if (maxConnectionsPerEndpoint <= 0) {
            throw new IllegalArgumentException(
                    "maxConnectionsPerEndpoint: " + maxConnectionsPerEndpoint + " (expected: > 0)");
        }
        Objects.requireNonNull(healthCheck, "healthCheck");
        Objects.requireNonNull(loadBalancing, "loadBalancing");
        if (maxPendingRequests < 0) {
            throw new IllegalArgumentException("maxPendingRequests: " + maxPendingRequests + " (expected: >= 0)");
        }
        Objects.requireNonNull(outlierDetection, "outlierDetection");
        Objects.requireNonNull(reuse, "reuse");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(protocol, "protocol");
        if (protocol == UpstreamProtocol.H2 && tls.isEmpty()) {
            throw new IllegalArgumentException("protocol: h2 needs a tls block (for cleartext HTTP/2 use h2c)");
        }
        if (protocol == UpstreamProtocol.H2C && tls.isPresent()) {
            throw new IllegalArgumentException("protocol: h2c is cleartext HTTP/2 and cannot have a tls block"
                    + " (for HTTP/2 over TLS use h2)");
        }
    }

    /** An HTTP/1.1 upstream. */
    public UpstreamConfig(String name, List<HostPort> endpoints, Duration connectTimeout, Duration responseTimeout,
            Duration idleTimeout, int maxConnectionsPerEndpoint, Optional<HealthCheckConfig> healthCheck,
            LoadBalancing loadBalancing, int maxPendingRequests, OutlierDetectionConfig outlierDetection,
            ConnectionReuse reuse, Optional<UpstreamTlsConfig> tls) {
        this(name, endpoints, connectTimeout, responseTimeout, idleTimeout, maxConnectionsPerEndpoint, healthCheck,
                loadBalancing, maxPendingRequests, outlierDetection, reuse, tls, UpstreamProtocol.HTTP1);
    }

    /** The same upstream spoken to with {@code other}. */
    public UpstreamConfig withProtocol(UpstreamProtocol other) {
        return new UpstreamConfig(name, endpoints, connectTimeout, responseTimeout, idleTimeout,
                maxConnectionsPerEndpoint, healthCheck, loadBalancing, maxPendingRequests, outlierDetection, reuse,
                tls, other);
    }

    /**
     * The name sent (SNI) and checked when connecting to {@code endpoint} over TLS: tls.serverName,
     * else the endpoint's host (the binder checked that it is a valid name).
     */
    public ServerName serverName(HostPort endpoint) {
        return tls.flatMap(UpstreamTlsConfig::serverName).orElseGet(() -> ServerName.parse(endpoint.host()));
    }

    /** A plain-HTTP upstream. */
    public UpstreamConfig(String name, List<HostPort> endpoints, Duration connectTimeout, Duration responseTimeout,
            Duration idleTimeout, int maxConnectionsPerEndpoint, Optional<HealthCheckConfig> healthCheck,
            LoadBalancing loadBalancing, int maxPendingRequests, OutlierDetectionConfig outlierDetection,
            ConnectionReuse reuse) {
        this(name, endpoints, connectTimeout, responseTimeout, idleTimeout, maxConnectionsPerEndpoint, healthCheck,
                loadBalancing, maxPendingRequests, outlierDetection, reuse, Optional.empty());
    }

    /** A plain-HTTP upstream with safe connection reuse. */
    public UpstreamConfig(String name, List<HostPort> endpoints, Duration connectTimeout, Duration responseTimeout,
            Duration idleTimeout, int maxConnectionsPerEndpoint, Optional<HealthCheckConfig> healthCheck,
            LoadBalancing loadBalancing, int maxPendingRequests, OutlierDetectionConfig outlierDetection) {
        this(name, endpoints, connectTimeout, responseTimeout, idleTimeout, maxConnectionsPerEndpoint, healthCheck,
                loadBalancing, maxPendingRequests, outlierDetection, ConnectionReuse.SAFE);
    }

    /** An upstream with the default load balancing, wait queue, passive ejection and reuse. */
    public UpstreamConfig(String name, List<HostPort> endpoints, Duration connectTimeout, Duration responseTimeout,
            Duration idleTimeout, int maxConnectionsPerEndpoint, Optional<HealthCheckConfig> healthCheck) {
        this(name, endpoints, connectTimeout, responseTimeout, idleTimeout, maxConnectionsPerEndpoint, healthCheck,
                LoadBalancing.ROUND_ROBIN, DEFAULT_MAX_PENDING_REQUESTS, OutlierDetectionConfig.defaults(),
                ConnectionReuse.SAFE);
    }
}
