package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.AllowRule;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.config.RouteMatch;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.H2TestClient.Reply;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TrailerUpstream;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.mtlsgateway.gateway.testing.AdminClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * h2 clients (ALPN) through the gateway to an HTTP/1.1 upstream: the same routing, authorization
 * and identity headers as HTTP/1.1, h2's own rules for malformed requests, trailers both ways.
 */
class Http2DownstreamTest {
    private static final String SPIFFE = "spiffe://test.example/ns/prod/sa/mobile";

    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static TrailerUpstream upstream;
    static IssuedCertificate client;
    static ServerSocket silentUpstream;
    static int closedPort;

    @BeforeAll
    static void start() throws Exception {
        upstream = stack.keep(new TrailerUpstream());
        client = stack.pki().client("mobile-app", SPIFFE);
        silentUpstream = stack.keep(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        List<RouteConfig> routes = List.of(
                GatewayFixture.route("down", "/down", "down"),
                GatewayFixture.route("slow", "/slow", "slow"),
                new RouteConfig("admin", new RouteMatch(Optional.empty(), Optional.of("/admin"), Map.of()), "trailers",
                        List.of(new AllowRule(AllowRule.Kind.SPIFFE, "spiffe://test.example/ns/ops/*")),
                        Optional.empty()),
                new RouteConfig("api", new RouteMatch(Optional.of("localhost"), Optional.of("/api"), Map.of()),
                        "trailers", List.of(), Optional.empty()));
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE, routes, List.of(
                GatewayFixture.upstream("trailers", Duration.ofSeconds(30), upstream.port()),
                GatewayFixture.upstream("down", Duration.ofSeconds(30), closedPort),
                GatewayFixture.upstream("slow", Duration.ofMillis(300), silentUpstream.getLocalPort()))));
    }

    private static H2TestClient connect() throws Exception {
        return H2TestClient.connect(stack.address(), stack.pki().server.root(), client);
    }

    @Test
    void streamsOfOneConnectionOneAfterAnotherReuseOneUpstreamConnection() throws Exception {
        try (H2TestClient h2 = connect()) {
            assertEquals(200, h2.get("/api/reuse-first").status());
            int opened = upstream.connections();
            for (int i = 0; i < 5; i++) {
                assertEquals(200, h2.get("/api/reuse" + i).status());
            }
            // Each stream is a new child channel; the upstream connection the previous stream gave back
            // belongs to the same client connection, so it serves the next stream at once ("safe" reuse
            // keeps it from other client connections only).
            assertEquals(opened, upstream.connections(), "upstream connections opened after the first stream");
        }
    }

    @Test
    void servesManyStreamsOfOneConnectionWithTheVerifiedIdentity() throws Exception {
        try (H2TestClient h2 = connect()) {
            for (int i = 0; i < 3; i++) {
                Reply reply = h2.get("/api/n" + i + "?q=1");
                assertEquals(200, reply.status(), reply.toString());
                assertTrue(reply.body().contains("R GET /api/n" + i + "?q=1\n"), reply.body());
                assertTrue(reply.body().contains("H X-Client-Subject: CN=mobile-app,O=Test\n"), reply.body());
                assertTrue(reply.body().contains("H X-Client-Spiffe-Id: " + SPIFFE + "\n"), reply.body());
                assertTrue(reply.body().contains("H X-Forwarded-Proto: https\n"), reply.body());
                assertTrue(reply.body().contains("H host: localhost\n"), reply.body());
                assertFalse(reply.body().toLowerCase().contains("x-http2-"), reply.body());
            }
        }
    }

    @Test
    void refusesACallerTheRouteDoesNotAllowAndAnUnknownPath() throws Exception {
        try (H2TestClient h2 = connect()) {
            assertEquals(403, h2.get("/admin/users").status());
            assertEquals(404, h2.get("/nowhere").status());
            // The connection is still good for the next stream.
            assertEquals(200, h2.get("/api/after").status());
        }
    }

    @Test
    void normalisesThePathBeforeRouting() throws Exception {
        try (H2TestClient h2 = connect()) {
            assertEquals(403, h2.get("/api/../admin/users").status());
            Reply reply = h2.get("/api/./a//b");
            assertEquals(200, reply.status());
        }
    }

    @Test
    void stripsForgedIdentityHeadersInEveryFormH2Allows() throws Exception {
        Http2Headers headers = H2TestClient.head("POST", "/api/forged")
                .add("x-client-subject", "CN=admin")
                .add("x-client-subject", "CN=root")
                .add("x-forwarded-client-cert", "By=evil;Hash=00")
                .add("x-http2-stream-id", "99")
                .add("x-http2-scheme", "http")
                .add("x-forwarded-for", "10.9.9.9");
        Http2Headers trailers = new DefaultHttp2Headers()
                .add("x-client-subject", "CN=trailer")
                .add("x-http2-path", "/admin")
                .add("x-checksum", "abc");
        try (H2TestClient h2 = connect()) {
            Reply reply = h2.request(headers, "hello", trailers).get(10, TimeUnit.SECONDS);
            assertEquals(200, reply.status(), reply.toString());
            String body = reply.body();
            assertFalse(body.contains("CN=admin"), body);
            assertFalse(body.contains("CN=root"), body);
            assertFalse(body.contains("CN=trailer"), body);
            assertFalse(body.contains("By=evil"), body);
            assertFalse(body.contains("10.9.9.9"), body);
            assertFalse(body.toLowerCase().contains("x-http2-"), body);
            assertTrue(body.contains("H X-Client-Subject: CN=mobile-app,O=Test\n"), body);
            assertTrue(body.contains("B 5\n"), body);
            assertTrue(body.contains("T x-checksum: abc\n"), body);
        }
    }

    @Test
    void passesTrailersBothWays() throws Exception {
        Http2Headers trailers = new DefaultHttp2Headers().add("grpc-status-details", "x").add("x-sum", "42");
        try (H2TestClient h2 = connect()) {
            Reply reply = h2.request(H2TestClient.head("POST", "/api/upload"), "0123456789", trailers)
                    .get(10, TimeUnit.SECONDS);
            assertEquals(200, reply.status(), reply.toString());
            assertTrue(reply.body().contains("T x-sum: 42\n"), reply.body());
            assertTrue(reply.body().contains("B 10\n"), reply.body());
            assertEquals("done", reply.trailers().get("x-upstream-trailer").toString());
            assertEquals("0", reply.trailers().get("grpc-status").toString());
            // Framing of the HTTP/1.1 hop never leaks into h2.
            assertEquals(null, reply.header("transfer-encoding"));
        }
    }

    @Test
    void joinsCookiesSplitAcrossFieldsForTheHttp1Upstream() throws Exception {
        Http2Headers headers = H2TestClient.head("GET", "/api/cookies").add("cookie", "a=1").add("cookie", "b=2");
        try (H2TestClient h2 = connect()) {
            Reply reply = h2.request(headers, null, null).get(10, TimeUnit.SECONDS);
            assertEquals(200, reply.status());
            assertTrue(reply.body().contains("H cookie: a=1; b=2\n"), reply.body());
        }
    }

    @Test
    void resetsStreamsWithConnectionSpecificHeadersOrTeOtherThanTrailers() throws Exception {
        try (H2TestClient h2 = connect()) {
            for (Http2Headers bad : List.of(
                    H2TestClient.head("GET", "/api/x").add("connection", "close"),
                    H2TestClient.head("GET", "/api/x").add("transfer-encoding", "chunked"),
                    H2TestClient.head("GET", "/api/x").add("upgrade", "websocket"),
                    H2TestClient.head("GET", "/api/x").add("keep-alive", "5"),
                    H2TestClient.head("GET", "/api/x").add("proxy-connection", "close"),
                    H2TestClient.head("GET", "/api/x").add("te", "gzip"))) {
                Reply reply = h2.request(bad, null, null).get(10, TimeUnit.SECONDS);
                assertEquals(Http2Error.PROTOCOL_ERROR.code(), reply.resetCode(), bad + " -> " + reply);
            }
            Reply ok = h2.request(H2TestClient.head("GET", "/api/te").add("te", "trailers"), null, null)
                    .get(10, TimeUnit.SECONDS);
            assertEquals(200, ok.status());
            assertFalse(ok.body().toLowerCase().contains("h te:"), ok.body());
        }
    }

    @Test
    void refusesAPathThatIsNotOriginFormAndAnotherHost() throws Exception {
        try (H2TestClient h2 = connect()) {
            Reply relative = h2.request(H2TestClient.head("GET", "api/x"), null, null).get(10, TimeUnit.SECONDS);
            assertNotEquals(200, relative.status(), relative.toString());
            Reply other = h2.request(H2TestClient.head("GET", "/api/x").authority("evil.example"), null, null)
                    .get(10, TimeUnit.SECONDS);
            assertEquals(404, other.status(), other.toString());
        }
    }

    @Test
    void aHostFieldNamingTheAuthorityAgainIsOneHostUpstream() throws Exception {
        // RFC 9113 §8.3.1 allows both when they name the same authority; :authority becomes the Host.
        try (H2TestClient h2 = connect()) {
            for (Http2Headers same : List.of(H2TestClient.head("GET", "/api/both").add("host", "LocalHost"),
                    H2TestClient.head("GET", "/api/both").add("host", "localhost").add("host", "LOCALHOST"))) {
                Reply reply = h2.request(same, null, null).get(10, TimeUnit.SECONDS);
                assertEquals(200, reply.status(), same + " -> " + reply);
                assertEquals(List.of("H host: localhost"), hostLines(reply.body()), reply.body());
            }
        }
    }

    @Test
    void aHostFieldNamingAnotherAuthorityIsRefusedAsBadHost() throws Exception {
        try (H2TestClient h2 = connect()) {
            for (Http2Headers bad : List.of(
                    H2TestClient.head("GET", "/api/other").add("host", "evil.example"),
                    H2TestClient.head("GET", "/api/other").add("host", "localhost:8443"),
                    H2TestClient.head("GET", "/api/other").add("host", "localhost").add("host", "evil.example"),
                    new DefaultHttp2Headers().method("GET").path("/api/other").scheme("https")
                            .add("host", "localhost").add("host", "evil.example"))) {
                Reply reply = h2.request(bad, null, null).get(10, TimeUnit.SECONDS);
                assertEquals(400, reply.status(), bad + " -> " + reply);
                assertTrue(reply.body().contains("bad_host"), bad + " -> " + reply.body());
            }
            assertEquals(200, h2.get("/api/after-bad-host").status(), "the connection serves on");
        }
        assertEquals(0, upstream.requestsWithPath("/api/other"), "a request with two hosts reached the upstream");
    }

    @Test
    void aHostFieldWithoutAuthorityRoutesTheRequest() throws Exception {
        // The api route is for host localhost only: a 200 means the host field was what routed it.
        Http2Headers headers = new DefaultHttp2Headers().method("GET").path("/api/host-only").scheme("https")
                .add("host", "localhost");
        try (H2TestClient h2 = connect()) {
            Reply reply = h2.request(headers, null, null).get(10, TimeUnit.SECONDS);
            assertEquals(200, reply.status(), reply.toString());
            assertEquals(List.of("H host: localhost"), hostLines(reply.body()), reply.body());
        }
    }

    /** The Host lines of the upstream's echo of the request it received. */
    private static List<String> hostLines(String echo) {
        return echo.lines().filter(line -> line.regionMatches(true, 0, "H host:", 0, "H host:".length())).toList();
    }

    @Test
    void answersGatewayErrorsToGrpcCallsInGrpcForm() throws Exception {
        Map<String, Integer> expected = Map.of(
                "/nowhere/svc.Echo/Call", 12,      // no route: UNIMPLEMENTED
                "/admin/svc.Echo/Call", 7,         // 403: PERMISSION_DENIED
                "/down/svc.Echo/Call", 14,         // upstream down: UNAVAILABLE
                "/slow/svc.Echo/Call", 4);         // upstream timeout: DEADLINE_EXCEEDED
        try (H2TestClient h2 = connect()) {
            for (Map.Entry<String, Integer> call : expected.entrySet()) {
                Http2Headers headers = H2TestClient.head("POST", call.getKey())
                        .add("content-type", "application/grpc").add("te", "trailers");
                Reply reply = h2.request(headers, "\0\0\0\0\0", null).get(10, TimeUnit.SECONDS);
                // Trailers-only: one HEADERS frame that ends the stream, status 200.
                assertEquals(200, reply.status(), call + " " + reply);
                assertEquals(String.valueOf(call.getValue()), reply.header("grpc-status"), call + " " + reply);
                assertEquals("application/grpc", reply.header("content-type"));
                assertEquals("", reply.body());
                assertEquals(null, reply.trailers());
            }
        }
    }

    @Test
    void countsH2RequestsUnderTheirProtocol() throws Exception {
        try (H2TestClient h2 = connect()) {
            assertEquals(200, h2.get("/api/counted").status());
        }
        String scrape = new AdminClient(stack.gateway().adminAddress()).scrape();
        double h2 = AdminClient.value(scrape, "mtls_gateway_requests_total", "route", "api", "code", "200",
                "protocol", "h2");
        assertTrue(h2 >= 1, scrape);
        assertEquals(0.0, AdminClient.value(scrape, "mtls_gateway_requests_total", "route", "down", "code", "200",
                "protocol", "http1"));
    }

    @Test
    void anHttp11ClientIsStillServedOnTheSameListener() throws Exception {
        try (TlsTestClient http1 = stack.connect(client)) {
            TlsTestClient.Response response = http1.send("GET /api/one HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .readResponse();
            assertEquals(200, response.status());
        }
    }
}
