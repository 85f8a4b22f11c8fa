package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.AccessLogConfig;
import io.mtlsgateway.config.AdminConfig;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.ClientCertRequirement;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.config.ListenerHosts;
import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.config.RouteMatch;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.config.Transport;
import io.mtlsgateway.config.UpstreamConfig;
import io.mtlsgateway.config.XfccMode;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.HostsPki;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient.Response;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A listener without hosts next to one with hosts: the ops entry takes only clients of the ops CA,
 * and its route relies on that (no allow rules, as in docs/virtual-hosts.md). A partner verified by
 * the other listener's CA must not reach the ops route by writing {@code Host: ops...}: 421.
 */
class HostEntriesAcrossListenersTest {
    private static final String API = "api.bank.test";
    private static final String OPS = "ops.bank.test";

    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static TestPki pki;
    static EchoUpstream upstream;
    static InetSocketAddress legacy;
    static IssuedCertificate partner;

    @BeforeAll
    static void start() throws Exception {
        pki = stack.pki();
        HostsPki hosts = new HostsPki(pki);
        upstream = stack.keep(EchoUpstream.start(0));
        partner = pki.client("partner-app", null);
        TlsConfig api = hosts.serverTls(API, ClientAuthMode.REQUIRE, pki.clientCaFile);
        TlsConfig ops = hosts.serverTls(OPS, ClientAuthMode.REQUIRE, hosts.opsCaFile);
        ListenerConfig edge = new ListenerConfig("edge", new HostPort("127.0.0.1", 0), api,
                GatewayFixture.identityHeaders(), XfccMode.SANITIZE_SET, false, HttpSettings.defaults(),
                new ListenerHosts(List.of(hosts.host(api, API), hosts.host(ops, OPS, "*.ops.bank.test")),
                        Optional.of(API)));
        ListenerConfig legacyListener = new ListenerConfig("legacy", new HostPort("127.0.0.1", 0),
                GatewayFixture.tls(pki, ClientAuthMode.REQUIRE), GatewayFixture.identityHeaders(),
                XfccMode.SANITIZE_SET, false, HttpSettings.defaults());
        List<RouteConfig> routes = List.of(
                route("ops", Optional.of(OPS)), route("ops-wild", Optional.of("*.ops.bank.test")),
                route("any", Optional.empty()));
        Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
        upstreams.put("echo", GatewayFixture.upstream("echo", Duration.ofSeconds(30), upstream.port()));
        GatewayServer gateway = stack.start(new GatewayConfig(pki.dir.resolve("routes.yaml"), 2, Transport.AUTO,
                new AdminConfig(new HostPort("127.0.0.1", 0)), List.of(edge, legacyListener), routes, upstreams,
                GatewayConfig.DEFAULT_DRAIN_TIMEOUT, AccessLogConfig.OFF), GatewayServer.FileWatching.OFF);
        legacy = gateway.address("legacy");
    }

    static RouteConfig route(String name, Optional<String> host) {
        return new RouteConfig(name, new RouteMatch(host, Optional.of("/"), Map.of()), "echo", List.of(),
                Optional.empty(), Optional.empty(), List.of(), ClientCertRequirement.REQUIRED);
    }

    private static Response get(String host) throws Exception {
        try (TlsTestClient connection = TlsTestClient.connect(legacy, pki.server.root(), partner)) {
            return connection.send("GET /status HTTP/1.1\r\nHost: " + host + "\r\n\r\n").readResponse();
        }
    }

    @Test
    void aListenerWithoutHostsAnswers421ForTheNamesOfAnotherListenersEntries() throws Exception {
        int before = upstream.requestCount();
        for (String host : List.of(OPS, "OPS.bank.test.:8443", "eu.ops.bank.test", API)) {
            Response response = get(host);
            assertEquals(421, response.status(), host + ": " + response.body());
            assertTrue(response.body().contains("\"error\":\"misdirected_request\""), response.body());
        }
        assertEquals(before, upstream.requestCount(), "a partner never reached a route of the ops entry");
        assertEquals(200, get("localhost").status(), "a name no entry has is routed as before");
        assertEquals(before + 1, upstream.requestCount());
    }

    @Test
    void andOverH2() throws Exception {
        int before = upstream.requestCount();
        try (H2TestClient connection = H2TestClient.connect(legacy, pki.server.root(), partner)) {
            H2TestClient.Reply misdirected = connection.request(new DefaultHttp2Headers().method("GET")
                    .path("/status").scheme("https").authority(OPS), null, null).get(10, TimeUnit.SECONDS);
            assertEquals(421, misdirected.status(), misdirected.body());
        }
        assertEquals(before, upstream.requestCount());
    }
}
