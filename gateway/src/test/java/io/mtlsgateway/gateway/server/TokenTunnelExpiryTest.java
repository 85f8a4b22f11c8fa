package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.ScriptedUpstream;
import io.mtlsgateway.gateway.testing.TestIssuer;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A WebSocket-style tunnel opened on a route that asks for a token does not outlive the token: its
 * request was judged once, and no later request presents the token again. Once a request with it
 * would be refused (past {@code exp} and the issuer's clock skew), the tunnel is closed, both sides,
 * counted and logged, as one whose client certificate expires.
 */
class TokenTunnelExpiryTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @Test
    void aTunnelAuthorizedByATokenIsClosedOnceTheTokenExpires() throws Exception {
        CountDownLatch upstreamClosed = new CountDownLatch(1);
        ScriptedUpstream upstream = stack.keep(ScriptedUpstream.start(c -> {
            c.readHead();
            c.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            byte[] buffer = new byte[256];
            for (int n; (n = c.in().read(buffer)) > 0; ) {
                c.write(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
            upstreamClosed.countDown();
        }));
        TestIssuer idp = TestIssuer.create("ES256", "k1");
        Path dir = stack.dir();
        Files.writeString(dir.resolve("idp-jwks.json"), idp.jwks());
        String jwt = "jwt:\n  idp:\n    issuer: " + TestIssuer.ISSUER + "\n    audiences: [" + TestIssuer.AUDIENCE
                + "]\n    jwks: { file: idp-jwks.json }\n    clockSkew: 0s\n";
        String route = RouteFile.route("ws", "/ws") + "    jwt: { issuer: idp }\n";
        Path routes = dir.resolve("routes.yaml");
        Files.writeString(routes, RouteFile.text(stack.pki(), route, upstream.port(), jwt));
        GatewayServer gateway = stack.start(ConfigLoader.load(routes));
        IssuedCertificate client = stack.pki().client("socket", "spiffe://test.example/ns/prod/sa/socket");
        // Long enough to open the tunnel on a busy machine; the idle timeout (60 s) is beyond the
        // client's 30 s read timeout, so only the token's end can close the tunnel in time.
        String token = idp.sign(TestIssuer.boundTo(TestIssuer.validClaims(), client.certificate())
                .expirationTime(Date.from(Instant.now().plus(Duration.ofSeconds(10)))).build());
        try (TlsTestClient connection = TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER),
                stack.pki().server.root(), client)) {
            connection.send("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Authorization: Bearer " + token + "\r\n\r\n");
            assertEquals(101, connection.readHead().status());
            connection.send("ping");
            assertEquals("ping", connection.readBytes(4));
            assertTrue(connection.closedByServer(), "the tunnel outlived its token");
        }
        assertTrue(upstreamClosed.await(20, TimeUnit.SECONDS), "and so does the upstream side");
        assertEquals(1.0, gateway.metrics().registry().get("mtls.gateway.tunnels.closed")
                .tag("reason", "token_expired").counter().count());
    }
}
