package io.mtlsgateway.gateway.server;

import static io.mtlsgateway.gateway.testing.AdminClient.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.AccessLogConfig;
import io.mtlsgateway.config.AllowRule;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.config.RouteMatch;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.FlatJson;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * After a known mix of traffic, the scrape holds every documented series with the right values,
 * and the access log holds one JSON line per request.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsAndAccessLogTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    private static final String SPIFFE = "spiffe://test.example/ns/prod/sa/app";

    static TestPki pki;
    static EchoUpstream echo;
    static int closedPort;
    static GatewayServer gateway;
    static AdminClient admin;
    static IssuedCertificate client;
    static Path accessLog;
    static String scrape;

    @BeforeAll
    static void runTraffic() throws Exception {
        pki = stack.pki();
        echo = stack.keep(EchoUpstream.start(0));
        try (ServerSocket probe = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        client = pki.client("app", SPIFFE);
        accessLog = stack.dir().resolve("logs/access.log");
        GatewayConfig base = GatewayFixture.config(pki, ClientAuthMode.REQUIRE, List.of(
                new RouteConfig("ops", new RouteMatch(Optional.empty(), Optional.of("/ops"), Map.of()), "echo",
                        List.of(new AllowRule(AllowRule.Kind.SPIFFE, "spiffe://test.example/ns/ops/*")),
                        Optional.empty()),
                new RouteConfig("down", new RouteMatch(Optional.empty(), Optional.of("/down"), Map.of()), "down",
                        List.of(), Optional.empty()),
                new RouteConfig("api", new RouteMatch(Optional.empty(), Optional.of("/api"), Map.of()), "echo",
                        List.of(), Optional.empty())), List.of(
                GatewayFixture.upstream("echo", Duration.ofSeconds(30), echo.port()),
                GatewayFixture.upstream("down", Duration.ofSeconds(30), closedPort)));
        gateway = stack.start(new GatewayConfig(base.source(), base.workers(), base.transport(), base.admin(),
                base.listeners(), base.routes(), base.upstreams(), base.drainTimeout(),
                new AccessLogConfig(true, Optional.of(accessLog))));
        admin = new AdminClient(gateway.adminAddress());

        try (TlsTestClient connection = connect(client)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, get(connection, "/api/n" + i).status());
            }
            assertEquals(404, get(connection, "/nothing").status());
            assertEquals(403, get(connection, "/ops/x").status());
            assertEquals(502, get(connection, "/down/x").status());
            connection.send("POST /api/upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello");
            assertEquals(200, connection.readResponse().status());
        }
        assertThrows(Exception.class, () -> get(connect(null), "/api/x"));
        // The failed handshake is counted on the server after the client has seen the alert: wait
        // for that event through the scrape itself (no sleeping).
        for (int i = 0; i < 1000; i++) {
            scrape = admin.scrape();
            if (value(scrape, "mtls_gateway_handshakes_total", "reason", "no_certificate") == 1.0) {
                break;
            }
        }
    }

    private static TlsTestClient connect(IssuedCertificate certificate) throws Exception {
        return TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER), pki.server.root(), certificate);
    }

    private static TlsTestClient.Response get(TlsTestClient connection, String path) throws Exception {
        return connection.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse();
    }

    private static void assertSample(double expected, String name, String... labels) {
        assertEquals(expected, value(scrape, name, labels), AdminClient.describe(name, labels) + "\n" + scrape);
    }

    @Test
    void countsRequestsByRouteAndCode() {
        assertSample(4, "mtls_gateway_requests_total", "route", "api", "code", "200", "protocol", "http1");
        assertSample(1, "mtls_gateway_requests_total", "route", "none", "code", "404", "protocol", "http1");
        assertSample(1, "mtls_gateway_requests_total", "route", "ops", "code", "403", "protocol", "http1");
        assertSample(1, "mtls_gateway_requests_total", "route", "down", "code", "502", "protocol", "http1");
        assertSample(4, "mtls_gateway_request_duration_seconds_count", "route", "api");
        assertSample(4, "mtls_gateway_request_duration_seconds_bucket", "route", "api", "le", "+Inf");
        assertTrue(scrape.contains("mtls_gateway_request_duration_seconds_bucket{le=\"0.005\",route=\"api\"}")
                || scrape.contains("route=\"api\",le=\"0.005\""), "explicit SLO buckets");
    }

    @Test
    void countsAuthorizationDenialsAndUpstreamErrors() {
        assertSample(1, "mtls_gateway_authz_denied_total", "route", "ops");
        assertSample(0, "mtls_gateway_authz_denied_total", "route", "api");
        assertSample(1, "mtls_gateway_upstream_errors_total", "upstream", "down", "kind", "unavailable");
        assertSample(0, "mtls_gateway_upstream_errors_total", "upstream", "echo", "kind", "timeout");
    }

    @Test
    void countsHandshakesByOutcomeAndReason() {
        assertSample(1, "mtls_gateway_handshakes_total", "listener", "edge", "outcome", "success", "reason", "none");
        assertSample(1, "mtls_gateway_handshakes_total", "listener", "edge", "outcome", "failure",
                "reason", "no_certificate");
        assertSample(0, "mtls_gateway_handshakes_total", "listener", "edge", "outcome", "failure",
                "reason", "untrusted");
        assertSample(2, "mtls_gateway_handshake_duration_seconds_count", "listener", "edge");
        assertSample(1, "mtls_gateway_client_cert_remaining_validity_seconds_count", "listener", "edge");
        assertFalse(Double.isNaN(value(scrape, "mtls_gateway_connections_active", "listener", "edge")));
    }

    @Test
    void exportsCertificateExpiryAndReloads() {
        assertSample(pki.server.certificate().getNotAfter().toInstant().getEpochSecond(),
                "mtls_gateway_certificate_expiry_timestamp_seconds", "listener", "edge", "role", "server");
        assertSample(pki.clientCa.certificate().getNotAfter().toInstant().getEpochSecond(),
                "mtls_gateway_certificate_expiry_timestamp_seconds", "listener", "edge", "role", "ca");
        assertTrue(Double.isNaN(value(scrape, "mtls_gateway_certificate_expiry_timestamp_seconds", "role", "crl")),
                "no CRL configured, no series");
        assertSample(0, "mtls_gateway_config_reloads_total", "outcome", "success");
        assertSample(0, "mtls_gateway_config_reloads_total", "outcome", "failure");
        assertSample(1, "mtls_gateway_config_watch_running");
        for (String relevance : List.of("watched", "ignored", "overflow")) {
            assertFalse(Double.isNaN(value(scrape, "mtls_gateway_config_watch_events_total", "relevance", relevance)));
        }
        assertSample(0, "mtls_gateway_config_watch_checks_total", "result", "changed");
        assertSample(0, "mtls_gateway_config_watch_checks_total", "result", "unchanged");
    }

    @Test
    void exportsJvmProcessAndNettyMeters() {
        for (String name : List.of("jvm_memory_used_bytes", "process_cpu_usage", "jvm_threads_live_threads",
                "netty_allocator_memory_used", "netty_eventexecutor_tasks_pending")) {
            assertTrue(scrape.contains(name), name);
        }
    }

    @Test
    void negotiatesOpenMetricsAndServesOnlyTheAdminPaths() throws Exception {
        HttpResponse<String> open = admin.send("GET", "/metrics", "application/openmetrics-text; version=1.0.0");
        assertTrue(open.headers().firstValue("content-type").orElseThrow().startsWith("application/openmetrics-text"));
        assertTrue(open.body().trim().endsWith("# EOF"));
        HttpResponse<String> text = admin.send("GET", "/metrics", null);
        assertTrue(text.headers().firstValue("content-type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        assertEquals(200, admin.status("/healthz"));
        assertEquals(200, admin.status("/readyz"));
        assertEquals(404, admin.status("/nothing"));
        assertEquals(405, admin.send("POST", "/metrics", null).statusCode());
    }

    @Test
    @Order(Integer.MAX_VALUE) // closes the gateway to flush the log, so it runs last
    void writesOneJsonLinePerRequestWithTheClientIdentity() throws Exception {
        gateway.close(); // flushes the writer thread; the other tests read the scrape taken before
        List<String> lines = Files.readAllLines(accessLog);
        assertEquals(7, lines.size(), String.join("\n", lines));
        Map<String, Object> upload = lines.stream().map(FlatJson::parse)
                .filter(l -> "POST".equals(l.get("method"))).findFirst().orElseThrow();
        assertEquals("edge", upload.get("listener"));
        assertEquals("api", upload.get("route"));
        assertEquals("/api/upload", upload.get("path"));
        assertEquals(200.0, upload.get("status"));
        assertEquals(5.0, upload.get("bytesIn"));
        assertTrue((Double) upload.get("bytesOut") > 0);
        assertTrue(upload.get("durationMs") instanceof Double);
        assertEquals("127.0.0.1:" + echo.port(), upload.get("upstream"));
        assertEquals("CN=app,O=Test", upload.get("clientSubject"));
        assertEquals(SPIFFE, upload.get("spiffeId"));
        assertEquals(64, ((String) upload.get("fingerprint")).length());
        assertTrue(((String) upload.get("time")).endsWith("Z"));
        Map<String, Object> notFound = lines.stream().map(FlatJson::parse)
                .filter(l -> "/nothing".equals(l.get("path"))).findFirst().orElseThrow();
        assertNull(notFound.get("route"));
        assertEquals(404.0, notFound.get("status"));
        Map<String, Object> down = lines.stream().map(FlatJson::parse)
                .filter(l -> Double.valueOf(502).equals(l.get("status"))).findFirst().orElseThrow();
        assertEquals("upstream_unavailable", down.get("upstreamError"));
    }
}
