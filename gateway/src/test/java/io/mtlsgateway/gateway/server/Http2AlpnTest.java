package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ApplicationProtocol;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.Http2Limits;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A listener's {@code alpn} decides which HTTP versions it speaks, over real TLS: {@code
 * [http/1.1]} gives an h2-only client no h2, {@code [h2]} disconnects a client that negotiates no
 * protocol; and an h2 client without a certificate never gets an answer (the handshake gate comes
 * first, for h2 as for HTTP/1.1).
 */
class Http2AlpnTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static EchoUpstream echo;
    static IssuedCertificate client;

    @BeforeAll
    static void start() throws Exception {
        echo = stack.keep(EchoUpstream.start(0));
        client = stack.pki().client("alpn", "spiffe://test.example/ns/prod/sa/alpn");
        stack.start(config(List.of(ApplicationProtocol.HTTP_1_1)));
    }

    private static GatewayConfig config(List<ApplicationProtocol> alpn) {
        return GatewayFixture.withHttp2(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("api", "/api", "echo")),
                List.of(GatewayFixture.upstream("echo", Duration.ofSeconds(20), echo.port()))),
                alpn, Http2Limits.defaults());
    }

    @Test
    void aListenerWithOnlyHttp11OffersNoH2AndStillServesHttp11() throws Exception {
        // No ALPN answer (BoringSSL's way), so the client sees no h2: it gives up.
        Exception refused = assertThrows(Exception.class,
                () -> H2TestClient.connect(stack.address(), stack.pki().server.root(), client).close());
        assertTrue(String.valueOf(refused.getMessage()).contains("not h2"), String.valueOf(refused));
        try (TlsTestClient http1 = stack.connect(client)) {
            assertEquals(200, http1.send("GET /api/x HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
        }
    }

    @Test
    void aListenerWithOnlyH2DisconnectsAClientThatNegotiatesNoProtocol() throws Exception {
        try (GatewayServer h2Only = GatewayServer.start(config(List.of(ApplicationProtocol.H2)),
                GatewayServer.FileWatching.OFF)) {
            InetSocketAddress address = h2Only.address(GatewayFixture.LISTENER);
            try (TlsTestClient noAlpn = TlsTestClient.connect(address, stack.pki().server.root(), client)) {
                noAlpn.send("GET /api/x HTTP/1.1\r\nHost: localhost\r\n\r\n");
                assertTrue(noAlpn.closedByServer(), "no HTTP/1.1 on an h2-only listener");
            }
            try (H2TestClient h2 = H2TestClient.connect(address, stack.pki().server.root(), client)) {
                assertEquals(200, h2.get("/api/x").status());
            }
        }
    }

    @Test
    void anH2ClientWithoutACertificateIsNeverAnswered() throws Exception {
        try (GatewayServer both = GatewayServer.start(config(ListenerConfig.DEFAULT_ALPN),
                GatewayServer.FileWatching.OFF)) {
            InetSocketAddress address = both.address(GatewayFixture.LISTENER);
            int status;
            try (H2TestClient anonymous = H2TestClient.connect(address, stack.pki().server.root(), null)) {
                status = anonymous.get("/api/x").status();
            } catch (Exception e) {
                status = -1; // the handshake failed (TLS 1.2), or the connection died right after it (TLS 1.3)
            }
            assertEquals(-1, status, "no h2 response without a verified client certificate");
        }
    }
}
