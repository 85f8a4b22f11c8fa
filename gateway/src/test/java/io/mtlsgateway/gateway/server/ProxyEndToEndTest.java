package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.AllowRule;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.config.RouteMatch;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole gateway over real loopback sockets: real TLS, generated PKI, a real upstream. */
class ProxyEndToEndTest {
    private static final String SPIFFE = "spiffe://test.example/ns/prod/sa/mobile";

    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static TestPki pki;
    static EchoUpstream upstream;
    static ServerSocket silentUpstream;
    static int closedPort;
    static GatewayServer gateway;
    static InetSocketAddress address;
    static IssuedCertificate client;

    @BeforeAll
    static void start() throws Exception {
        pki = stack.pki();
        upstream = stack.keep(EchoUpstream.start(0));
        // Accepts connections and never answers: a hung upstream.
        silentUpstream = stack.keep(new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress()));
        try (ServerSocket probe = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        client = pki.client("mobile-app", SPIFFE);
        List<RouteConfig> routes = List.of(
                new RouteConfig("admin", new RouteMatch(Optional.empty(), Optional.of("/admin"), Map.of()), "echo",
                        List.of(new AllowRule(AllowRule.Kind.SPIFFE, "spiffe://test.example/ns/ops/*")),
                        Optional.empty()),
                new RouteConfig("down", new RouteMatch(Optional.empty(), Optional.of("/down"), Map.of()), "down",
                        List.of(), Optional.empty()),
                new RouteConfig("slow", new RouteMatch(Optional.empty(), Optional.of("/slow"), Map.of()), "slow",
                        List.of(), Optional.empty()),
                new RouteConfig("payments", new RouteMatch(Optional.of("localhost"), Optional.of("/payments"),
                        Map.of()), "echo", List.of(), Optional.of("/v1")),
                new RouteConfig("api", new RouteMatch(Optional.of("localhost"), Optional.of("/api"), Map.of()), "echo",
                        List.of(), Optional.empty()));
        gateway = stack.start(GatewayFixture.config(pki, ClientAuthMode.REQUIRE, routes, List.of(
                GatewayFixture.upstream("echo", Duration.ofSeconds(30), upstream.port()),
                GatewayFixture.upstream("down", Duration.ofSeconds(30), closedPort),
                GatewayFixture.upstream("slow", Duration.ofMillis(300), silentUpstream.getLocalPort()))));
        address = gateway.address(GatewayFixture.LISTENER);
    }

    private static TlsTestClient connect(IssuedCertificate certificate) throws Exception {
        return TlsTestClient.connect(address, pki.server.root(), certificate);
    }

    private static Response get(TlsTestClient connection, String path, String extraHeaders) throws IOException {
        return connection.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extraHeaders + "\r\n")
                .readResponse();
    }

    @Test
    void forwardsVerifiedClientWithIdentityHeaders() throws Exception {
        try (TlsTestClient connection = connect(client)) {
            Response response = get(connection, "/api/accounts?id=7", "");
            assertEquals(200, response.status());
            assertTrue(response.body().contains("\"path\": \"/api/accounts?id=7\""), response.body());
            assertTrue(response.body().contains("\"X-Client-Subject\": \"CN=mobile-app,O=Test\""), response.body());
            assertTrue(response.body().contains("\"X-Client-Spiffe-Id\": \"" + SPIFFE + "\""), response.body());
            assertTrue(response.body().contains("\"X-Forwarded-Client-Cert\": \"By=spiffe://test.example/gateway;Hash="),
                    response.body());
            assertTrue(response.body().contains("\"X-Forwarded-Proto\": \"https\""), response.body());
            assertTrue(response.body().contains("\"X-Forwarded-For\": \"127.0.0.1\""), response.body());
        }
    }

    @Test
    void keepsTheConnectionAliveAcrossRequests() throws Exception {
        try (TlsTestClient connection = connect(client)) {
            for (int i = 0; i < 5; i++) {
                Response response = get(connection, "/api/n" + i, "");
                assertEquals(200, response.status());
                assertTrue(response.body().contains("\"path\": \"/api/n" + i + "\""), response.body());
            }
        }
    }

    @Test
    void neverForwardsIdentityHeadersTheClientForged() throws Exception {
        String forged = "X-Client-Subject: CN=admin\r\n"
                + "x-client-subject: CN=root\r\n"
                + "X_Client_Spiffe_Id: spiffe://evil/x\r\n"
                + "X-Forwarded-Client-Cert: By=evil;Hash=00\r\n"
                + "X-Forwarded-For: 10.9.9.9\r\n"
                + "Client-Cert: :AAAA:\r\n"
                + "X-Original-URL: /admin/users\r\n"
                + "X-Real-IP: 10.8.8.8\r\n";
        try (TlsTestClient connection = connect(client)) {
            Response response = get(connection, "/api/x", forged);
            assertEquals(200, response.status());
            String body = response.body();
            assertFalse(body.contains("CN=admin"), body);
            assertFalse(body.contains("CN=root"), body);
            assertFalse(body.contains("spiffe://evil"), body);
            assertFalse(body.contains("By=evil"), body);
            assertFalse(body.contains("10.9.9.9"), body);
            assertFalse(body.contains("/admin/users"), body);
            assertFalse(body.contains("10.8.8.8"), body);
            assertFalse(body.contains("X_Client"), body);
            assertFalse(body.contains("\"Client-Cert\""), body);
            assertTrue(body.contains("\"X-Client-Subject\": \"CN=mobile-app,O=Test\""), body);
        }
    }

    @Test
    void stripsForgedIdentityHeadersFromRequestTrailers() throws Exception {
        String request = "POST /api/upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\nX-Client-Subject: CN=admin\r\nX-Trailer-Ok: yes\r\n\r\n";
        try (TlsTestClient connection = connect(client)) {
            Response response = connection.send(request).readResponse();
            assertEquals(200, response.status());
            assertTrue(response.body().contains("\"bodyBytes\": 5"), response.body());
            assertFalse(response.body().contains("CN=admin"), response.body());
        }
    }

    @Test
    void rejectsClientWithoutCertificateBeforeAnyHttp() throws Exception {
        int before = upstream.requestCount();
        assertRejected(null);
        assertEquals(before, upstream.requestCount(), "the upstream must see nothing");
    }

    @Test
    void rejectsClientCertificateFromAnotherCa() throws Exception {
        IssuedCertificate otherCa = new CertificateBuilder().subject("CN=other CA").ca(-1).selfSigned();
        IssuedCertificate stranger = new CertificateBuilder().subject("CN=stranger").forClient().signedBy(otherCa);
        int before = upstream.requestCount();
        assertRejected(stranger);
        assertEquals(before, upstream.requestCount(), "the upstream must see nothing");
    }

    /** In TLS 1.3 the client finishes its handshake before the server verifies it: the alert comes on the first read. */
    private static void assertRejected(IssuedCertificate certificate) {
        assertThrows(IOException.class, () -> {
            try (TlsTestClient connection = connect(certificate)) {
                Response response = get(connection, "/api/secret", "");
                throw new AssertionError("expected the handshake to fail, got HTTP " + response.status());
            }
        });
    }

    @Test
    void streamsLargeUploadByteForByte() throws Exception {
        long size = 200L * 1024 * 1024;
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        byte[] block = new byte[64 * 1024];
        new Random(42).nextBytes(block);
        try (TlsTestClient connection = connect(client)) {
            connection.send("POST /api/upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + size + "\r\n\r\n");
            OutputStream out = connection.output();
            for (long written = 0; written < size; written += block.length) {
                block[0] = (byte) written; // vary the content so a reordered block changes the hash
                out.write(block);
                sent.update(block);
            }
            out.flush();
            Response response = connection.readResponse();
            assertEquals(200, response.status());
            assertTrue(response.body().contains("\"bodyBytes\": " + size), response.body());
            assertTrue(response.body().contains(HexFormat.of().formatHex(sent.digest())), response.body());
        }
    }

    @Test
    void rewritesTheMatchedPrefix() throws Exception {
        try (TlsTestClient connection = connect(client)) {
            Response response = get(connection, "/payments/42", "");
            assertEquals(200, response.status());
            assertTrue(response.body().contains("\"path\": \"/v1/42\""), response.body());
        }
    }

    @Test
    void answers404WhenNoRouteMatches() throws Exception {
        try (TlsTestClient connection = connect(client)) {
            Response response = get(connection, "/nothing-here", "");
            assertEquals(404, response.status());
            assertTrue(response.body().contains("no_route"), response.body());
            // The connection stays usable after a 404 on a request without a body.
            assertEquals(200, get(connection, "/api/after-404", "").status());
        }
    }

    @Test
    void answers403WhenTheCallerIsNotAllowedOnTheRoute() throws Exception {
        try (TlsTestClient connection = connect(client)) {
            Response response = get(connection, "/admin/users", "");
            assertEquals(403, response.status());
            assertTrue(response.body().contains("\"route\":\"admin\""), response.body());
        }
    }

    @Test
    void normalisesThePathBeforeRoutingSoDotSegmentsCannotDodgeAuthorization() throws Exception {
        try (TlsTestClient connection = connect(client)) {
            assertEquals(403, get(connection, "/api/../admin/users", "").status());
            assertEquals(403, get(connection, "/api/%2e%2e/admin", "").status());
        }
        try (TlsTestClient connection = connect(client)) {
            assertEquals(400, get(connection, "/../etc/passwd", "").status());
        }
    }

    @Test
    void answers502WhenTheUpstreamRefusesConnections() throws Exception {
        try (TlsTestClient connection = connect(client)) {
            Response response = get(connection, "/down", "");
            assertEquals(502, response.status());
            assertTrue(response.body().contains("upstream_unavailable"), response.body());
        }
    }

    @Test
    void answers504WhenTheUpstreamDoesNotAnswerInTime() throws Exception {
        try (TlsTestClient connection = connect(client)) {
            Response response = get(connection, "/slow", "");
            assertEquals(504, response.status());
            assertTrue(response.body().contains("upstream_timeout"), response.body());
        }
    }

    @Test
    void rejectsAmbiguousFramingAndClosesWithoutForwarding() throws Exception {
        int before = upstream.requestCount();
        String smuggle = "POST /api/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n";
        try (TlsTestClient connection = connect(client)) {
            Response response = connection.send(smuggle).readResponse();
            assertEquals(400, response.status());
            assertTrue(connection.closedByServer());
        }
        assertEquals(before, upstream.requestCount());
    }

    @Test
    void keepsTheBodyFramedWhenConnectionNamesContentLength() throws Exception {
        // Listing Content-Length in Connection must not strip the framing: the body would reach
        // the upstream unframed and be read there as a second request that skipped authorization.
        String hidden = "GET /admin/smuggled HTTP/1.1\r\nHost: localhost\r\nX-Client-Subject: CN=admin\r\n\r\n";
        int before = upstream.requestCount();
        try (TlsTestClient connection = connect(client)) {
            Response response = connection.send("POST /api/upload HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: keep-alive, Content-Length\r\nContent-Length: " + hidden.length() + "\r\n\r\n"
                    + hidden).readResponse();
            assertEquals(200, response.status());
            assertTrue(response.body().contains("\"bodyBytes\": " + hidden.length()), response.body());
            // A request on the same connection after it is answered normally: the pooled upstream
            // connection did not see the body as a request.
            assertTrue(get(connection, "/api/after", "").body().contains("\"path\": \"/api/after\""));
        }
        assertEquals(before + 2, upstream.requestCount());
    }

    @Test
    void servesTls12ClientsToo() throws Exception {
        try (TlsTestClient connection = TlsTestClient.connect(address, pki.server.root(), client, "TLSv1.2")) {
            assertEquals(200, get(connection, "/api/tls12", "").status());
        }
    }
}
