package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.AllowRule;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.config.RouteMatch;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.ScriptedUpstream;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient.Response;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** HTTP/1.1 semantics end to end: keep-alive, bodiless responses, chunking, 100-continue, upgrades, Via. */
class HttpSemanticsTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static TestPki pki;
    static EchoUpstream echo;
    static ScriptedUpstream scripted;
    static GatewayServer gateway;
    static IssuedCertificate client;

    @BeforeAll
    static void start() throws Exception {
        pki = stack.pki();
        client = pki.client("semantics", "spiffe://test.example/ns/prod/sa/app");
        echo = stack.keep(EchoUpstream.start(0));
        scripted = stack.keep(ScriptedUpstream.start(HttpSemanticsTest::script));
        List<RouteConfig> routes = List.of(
                new RouteConfig("ops", new RouteMatch(Optional.empty(), Optional.of("/ops"), Map.of()), "echo",
                        List.of(new AllowRule(AllowRule.Kind.SPIFFE, "spiffe://test.example/ns/ops/*")),
                        Optional.empty()),
                GatewayFixture.route("scripted", "/s", "scripted"),
                GatewayFixture.route("echo", "/", "echo"));
        gateway = stack.start(GatewayFixture.config(pki, ClientAuthMode.REQUIRE, routes, List.of(
                GatewayFixture.upstream("echo", Duration.ofSeconds(20), echo.port()),
                GatewayFixture.upstream("scripted", Duration.ofSeconds(20), scripted.port())),
                2, new HttpSettings(100, Duration.ofSeconds(10), Duration.ofSeconds(60), true)));
    }

    /** Answers by path with the responses a Netty server would not write on its own. */
    private static void script(ScriptedUpstream.Connection c) throws Exception {
        for (String head; (head = c.readHead()) != null; ) {
            String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
            switch (target) {
                case "/s/head" -> c.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
                case "/s/sized" -> c.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
                case "/s/204" -> c.write("HTTP/1.1 204 No Content\r\n\r\n");
                case "/s/304" -> c.write("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n");
                case "/s/chunked" -> c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n");
                case "/s/until-close" -> {
                    c.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nread until close");
                    c.close();
                    return;
                }
                case "/s/ws" -> {
                    String lower = head.toLowerCase(java.util.Locale.ROOT);
                    if (!lower.contains("upgrade: websocket") || !lower.contains("connection: upgrade")) {
                        c.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
                        continue;
                    }
                    // The first tunnel bytes travel in the same packet as the 101.
                    c.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\nhi!");
                    byte[] buffer = new byte[256];
                    for (int n; (n = c.in().read(buffer)) > 0; ) {
                        c.write("echo:" + new String(buffer, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
                    }
                    return;
                }
                default -> c.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
            }
        }
    }

    private static TlsTestClient connect() throws Exception {
        return TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER), pki.server.root(), client);
    }

    private static Response get(TlsTestClient connection, String path) throws IOException {
        return connection.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse();
    }

    @Test
    void servesManyPipelinedRequestsOnOneConnectionInOrder() throws Exception {
        try (TlsTestClient connection = connect()) {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                batch.append("GET /p/").append(i).append(" HTTP/1.1\r\nHost: localhost\r\n\r\n");
            }
            connection.send(batch.toString());
            for (int i = 0; i < 10; i++) {
                Response response = connection.readResponse();
                assertEquals(200, response.status());
                assertTrue(response.body().contains("\"path\": \"/p/" + i + "\""), response.body());
            }
            for (int i = 0; i < 20; i++) {
                assertEquals(200, get(connection, "/sequential/" + i).status());
            }
        }
    }

    @Test
    void relaysHead204And304WithoutABodyAndKeepsTheConnectionUsable() throws Exception {
        try (TlsTestClient connection = connect()) {
            Response head = connection.send("HEAD /s/head HTTP/1.1\r\nHost: localhost\r\n\r\n").readHead();
            assertEquals(200, head.status());
            assertEquals("5", head.headers().get("content-length"), "HEAD keeps the length of the body it omits");
            assertEquals(204, get(connection, "/s/204").status());
            Response notModified = get(connection, "/s/304");
            assertEquals(304, notModified.status());
            assertEquals("\"v1\"", notModified.headers().get("etag"));
            // Had any body byte followed one of them, this response would not parse.
            assertEquals(200, get(connection, "/after-bodiless").status());
        }
    }

    @Test
    void relaysChunkedResponsesAndResponsesFramedByClose() throws Exception {
        try (TlsTestClient connection = connect()) {
            Response chunked = get(connection, "/s/chunked");
            assertEquals("chunked", chunked.headers().get("transfer-encoding"));
            assertEquals("hello world", chunked.body());
            Response untilClose = get(connection, "/s/until-close");
            assertEquals("read until close", untilClose.body(), "re-framed as chunked for a keep-alive client");
            assertEquals(200, get(connection, "/still-open").status());
        }
    }

    @Test
    void givesAnHttp10KeepAliveClientABodyWithoutLengthFramedByTheCloseNeverChunked() throws Exception {
        try (TlsTestClient connection = connect()) {
            // The upstream answers HTTP/1.1 with chunked coding, which an HTTP/1.0 client cannot parse.
            Response response = connection.send("GET /s/chunked HTTP/1.0\r\nHost: localhost\r\n"
                    + "Connection: keep-alive\r\n\r\n").readResponse();
            assertEquals(200, response.status());
            assertNull(response.headers().get("transfer-encoding"), response.headers().toString());
            assertEquals("close", response.headers().get("connection"));
            assertEquals("hello world", response.body(), "the body up to the close");
        }
    }

    @Test
    void givesAnHttp10KeepAliveClientABodyWithALengthByItsLengthAndKeepsTheConnection() throws Exception {
        try (TlsTestClient connection = connect()) {
            for (int i = 0; i < 2; i++) {
                Response response = connection.send("GET /s/sized HTTP/1.0\r\nHost: localhost\r\n"
                        + "Connection: keep-alive\r\n\r\n").readResponse();
                assertEquals(200, response.status());
                assertNull(response.headers().get("transfer-encoding"), response.headers().toString());
                assertEquals("5", response.headers().get("content-length"));
                assertEquals("keep-alive", response.headers().get("connection"),
                        "an HTTP/1.0 connection persists only when the response says so");
                assertEquals("hello", response.body());
            }
        }
    }

    @Test
    void tellsAnHttp10KeepAliveClientThatItsConnectionStaysAfterTheGatewaysOwnAnswers() throws Exception {
        try (TlsTestClient connection = connect()) {
            Response forbidden = connection.send("GET /ops/deploy HTTP/1.0\r\nHost: localhost\r\n"
                    + "Connection: keep-alive\r\n\r\n").readResponse();
            assertEquals(403, forbidden.status());
            assertEquals("keep-alive", forbidden.headers().get("connection"));
            Response options = connection.send("OPTIONS * HTTP/1.0\r\nHost: localhost\r\n"
                    + "Connection: keep-alive\r\n\r\n").readResponse();
            assertEquals(204, options.status());
            assertEquals("keep-alive", options.headers().get("connection"));
            Response sized = connection.send("GET /s/sized HTTP/1.0\r\nHost: localhost\r\n\r\n").readResponse();
            assertEquals("hello", sized.body(), "the connection was kept, as both answers said");
            assertEquals("close", sized.headers().get("connection"), "without keep-alive, 1.0 closes");
            assertTrue(connection.closedByServer());
        }
    }

    @Test
    void sendsNoConnectionFieldToAnHttp11ClientWhoseConnectionStays() throws Exception {
        try (TlsTestClient connection = connect()) {
            Response sized = connection.send("GET /s/sized HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: keep-alive\r\n\r\n").readResponse();
            assertEquals("hello", sized.body());
            assertNull(sized.headers().get("connection"), "HTTP/1.1 persists by default");
        }
    }

    @Test
    void streamsAChunkedRequestBody() throws Exception {
        try (TlsTestClient connection = connect()) {
            Response response = connection.send("POST /upload HTTP/1.1\r\nHost: localhost\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n").readResponse();
            assertTrue(response.body().contains("\"bodyBytes\": 7"), response.body());
            assertTrue(response.body().toLowerCase(java.util.Locale.ROOT).contains("\"transfer-encoding\": \"chunked\""),
                    response.body());
        }
    }

    @Test
    void answers100ContinueOnlyAfterAuthorizationThenStreamsTheBody() throws Exception {
        try (TlsTestClient connection = connect()) {
            connection.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n"
                    + "Expect: 100-continue\r\n\r\n");
            assertEquals(100, connection.readHead().status());
            Response response = connection.send("data").readResponse();
            assertEquals(200, response.status());
            assertTrue(response.body().contains("\"bodyBytes\": 4"), response.body());
            assertFalse(response.body().contains("Expect"), "the expectation was met here, not forwarded");
        }
        int before = echo.requestCount();
        try (TlsTestClient connection = connect()) {
            connection.send("POST /ops/deploy HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n"
                    + "Expect: 100-continue\r\n\r\n");
            assertEquals(403, connection.readResponse().status(), "refused before the body was invited");
        }
        assertEquals(before, echo.requestCount());
    }

    @Test
    void removesHopByHopHeadersAndThoseTheConnectionHeaderNames() throws Exception {
        try (TlsTestClient connection = connect()) {
            Response response = connection.send("GET /hop HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: keep-alive, X-Secret\r\nX-Secret: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
                    + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\nX-Kept: yes\r\n\r\n").readResponse();
            String body = response.body();
            for (String gone : List.of("X-Secret", "Keep-Alive", "\"TE\"", "Proxy-Authorization", "\"Connection\"")) {
                assertFalse(body.contains(gone), gone + " must not be forwarded: " + body);
            }
            assertTrue(body.contains("\"X-Kept\": \"yes\""), body);
        }
    }

    @Test
    void addsViaBothWaysWhenConfigured() throws Exception {
        try (TlsTestClient connection = connect()) {
            Response response = get(connection, "/via");
            assertTrue(response.body().toLowerCase(java.util.Locale.ROOT).contains("\"via\": \"1.1 mtls-gateway\""),
                    response.body());
            assertEquals("1.1 mtls-gateway", response.headers().get("via"));
        }
    }

    @Test
    void relaysAWebSocketUpgradeAsRawBytesBothWays() throws Exception {
        try (TlsTestClient connection = connect()) {
            connection.send("GET /s/ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            Response switched = connection.readHead();
            assertEquals(101, switched.status());
            assertEquals("websocket", switched.headers().get("upgrade"));
            assertEquals("hi!", connection.readBytes(3), "bytes that came with the 101 are relayed");
            connection.send("ping");
            assertEquals("echo:ping", connection.readBytes(9));
            String notHttp = "\u0000bin\r\n\r\nGET / HTTP/1.1";
            connection.send(notHttp);
            assertEquals("echo:" + notHttp, connection.readBytes(5 + notHttp.length()), "no HTTP parsing any more");
        }
    }

    @Test
    void neverRelaysAnH2cUpgradeThatWouldTunnelPastAuthorization() throws Exception {
        try (TlsTestClient connection = connect()) {
            Response response = connection.send("GET /plain HTTP/1.1\r\nHost: localhost\r\nUpgrade: h2c\r\n"
                    + "Connection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n")
                    .readResponse();
            assertEquals(200, response.status(), "served as a plain request");
            String headers = response.body().toLowerCase(java.util.Locale.ROOT);
            assertFalse(headers.contains("\"upgrade\""), response.body());
            assertFalse(headers.contains("http2-settings"), response.body());
        }
    }
}
