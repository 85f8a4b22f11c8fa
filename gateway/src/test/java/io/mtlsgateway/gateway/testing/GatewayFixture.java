package io.mtlsgateway.gateway.testing;

import io.mtlsgateway.config.AccessLogConfig;
import io.mtlsgateway.config.AdminConfig;
import io.mtlsgateway.config.ApplicationProtocol;
import io.mtlsgateway.config.Http2Limits;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.config.IdentityTemplate;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.config.ListenerHosts;
import io.mtlsgateway.config.OcspMode;
import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.config.RouteMatch;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.config.TlsProtocol;
import io.mtlsgateway.config.Transport;
import io.mtlsgateway.config.UpstreamConfig;
import io.mtlsgateway.config.XfccMode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds gateway configs for tests: one listener on a free loopback port, with the test PKI. */
public final class GatewayFixture {
    public static final String LISTENER = "edge";

    private GatewayFixture() {}

    /** The usual identity headers of the tests. */
    public static Map<String, IdentityTemplate> identityHeaders() {
        Map<String, IdentityTemplate> headers = new LinkedHashMap<>();
        headers.put("X-Client-Subject", IdentityTemplate.parse("${subject}"));
        headers.put("X-Client-Spiffe-Id", IdentityTemplate.parse("${spiffe}"));
        return headers;
    }

    public static TlsConfig tls(TestPki pki, ClientAuthMode clientAuth) {
        return new TlsConfig(pki.serverCertificate, pki.serverKey, clientAuth, pki.clientCaFile, List.of(),
                OcspMode.OFF, TlsConfig.DEFAULT_VERIFY_DEPTH, List.of(TlsProtocol.TLS_1_3, TlsProtocol.TLS_1_2), true);
    }

    public static UpstreamConfig upstream(String name, Duration responseTimeout, int... ports) {
        List<HostPort> endpoints = java.util.Arrays.stream(ports).mapToObj(p -> new HostPort("127.0.0.1", p)).toList();
        return new UpstreamConfig(name, endpoints, Duration.ofSeconds(2), responseTimeout,
                UpstreamConfig.DEFAULT_IDLE_TIMEOUT, UpstreamConfig.DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT,
                Optional.empty());
    }

    public static GatewayConfig config(TestPki pki, ClientAuthMode clientAuth, List<RouteConfig> routes,
            List<UpstreamConfig> upstreams) {
        return config(pki, tls(pki, clientAuth), routes, upstreams, 2, HttpSettings.defaults());
    }

    /** A config whose one listener has these TLS settings (client CA, CRLs, OCSP, verifyDepth). */
    public static GatewayConfig config(TestPki pki, TlsConfig tls, List<RouteConfig> routes,
            List<UpstreamConfig> upstreams) {
        return config(pki, tls, routes, upstreams, 2, HttpSettings.defaults());
    }

    /**
     * @param workers event loops; 1 puts every connection on the same loop, which makes per-loop
     *     pool behaviour (limits, queue, least-outstanding) deterministic
     */
    public static GatewayConfig config(TestPki pki, ClientAuthMode clientAuth, List<RouteConfig> routes,
            List<UpstreamConfig> upstreams, int workers, HttpSettings http) {
        return config(pki, tls(pki, clientAuth), routes, upstreams, workers, http);
    }

    private static GatewayConfig config(TestPki pki, TlsConfig tls, List<RouteConfig> routes,
            List<UpstreamConfig> upstreams, int workers, HttpSettings http) {
        ListenerConfig listener = new ListenerConfig(LISTENER, new HostPort("127.0.0.1", 0), tls,
                identityHeaders(), XfccMode.SANITIZE_SET, false, http);
        Map<String, UpstreamConfig> byName = new LinkedHashMap<>();
        upstreams.forEach(u -> byName.put(u.name(), u));
        return new GatewayConfig(pki.dir.resolve("routes.yaml"), workers, Transport.AUTO,
                new AdminConfig(new HostPort("127.0.0.1", 0)), List.of(listener), routes, byName,
                GatewayConfig.DEFAULT_DRAIN_TIMEOUT, AccessLogConfig.OFF);
    }

    /** A route for every request under {@code pathPrefix}, open to any verified client. */
    public static RouteConfig route(String name, String pathPrefix, String upstream) {
        return new RouteConfig(name, new RouteMatch(Optional.empty(), Optional.of(pathPrefix), Map.of()), upstream,
                List.of(), Optional.empty());
    }

    /** The same config with its one listener offering {@code alpn} under {@code http2} limits. */
    public static GatewayConfig withHttp2(GatewayConfig config, List<ApplicationProtocol> alpn, Http2Limits http2) {
        ListenerConfig l = config.listeners().get(0);
        ListenerConfig listener = new ListenerConfig(l.name(), l.listen(), l.tls(), l.identityHeaders(), l.xfcc(),
                l.rfc9440(), l.http(), l.limits(), l.allowPlaintext(), alpn, http2);
        return new GatewayConfig(config.source(), config.workers(), config.transport(), config.admin(),
                List.of(listener), config.routes(), config.upstreams(), config.drainTimeout(), config.accessLog());
    }

    /** The same config with its one listener serving these host entries (chosen by SNI). */
    public static GatewayConfig withHosts(GatewayConfig config, ListenerHosts hosts) {
        ListenerConfig l = config.listeners().get(0);
        ListenerConfig listener = new ListenerConfig(l.name(), l.listen(), l.tls(), l.identityHeaders(), l.xfcc(),
                l.rfc9440(), l.http(), hosts);
        return new GatewayConfig(config.source(), config.workers(), config.transport(), config.admin(),
                List.of(listener), config.routes(), config.upstreams(), config.drainTimeout(), config.accessLog());
    }

    /** Loopback endpoints for these ports. */
    public static List<HostPort> endpoints(int... ports) {
        return java.util.Arrays.stream(ports).mapToObj(p -> new HostPort("127.0.0.1", p)).toList();
    }

}
