package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A connection does not outlive its client's certificate: once it expires (when a new handshake
 * would fail with certificate_expired), the open connection is closed after its in-flight request,
 * as for a client a reload revoked, instead of being served for as long as it stays busy.
 */
class ExpiringClientCertificateTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @Test
    void anOpenConnectionIsClosedOnceItsClientCertificateExpires() throws Exception {
        EchoUpstream echo = stack.keep(EchoUpstream.start(0));
        GatewayServer gateway = stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("echo", "/", "echo")),
                List.of(GatewayFixture.upstream("echo", Duration.ofSeconds(10), echo.port()))));
        // Long enough to connect on a busy machine; the idle timeout (60 s) is beyond the client's
        // 30 s read timeout, so only the expiry can close the connection in time.
        IssuedCertificate shortLived = new CertificateBuilder().subject("CN=short-lived,O=Test").forClient()
                .validity(Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofSeconds(12)))
                .signedBy(stack.pki().clientCa);
        try (TlsTestClient connection = TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER),
                stack.pki().server.root(), shortLived)) {
            assertEquals(200, connection.send("GET /a HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
            assertTrue(connection.closedByServer(), "served past the expiry of its certificate");
        }
    }
}
