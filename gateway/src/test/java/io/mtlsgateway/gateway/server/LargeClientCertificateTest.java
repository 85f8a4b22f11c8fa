package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.ResumingClient;
import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client whose certificate chain is too large to fit in a session ticket (issue 9, item 7): it
 * used to see its connection closed right after the handshake, while BoringSSL failed to issue the
 * ticket; now it is served, without a ticket, and counted.
 */
class LargeClientCertificateTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    TestPki pki;
    EchoUpstream upstream;
    GatewayServer gateway;

    @BeforeEach
    void start() throws Exception {
        pki = stack.pki();
        upstream = stack.keep(EchoUpstream.start(0));
        Path routeFile = stack.dir().resolve("routes.yaml");
        Files.writeString(routeFile, RouteFile.text(pki, RouteFile.route("all", "/"), upstream.port(), ""));
        gateway = stack.start(ConfigLoader.load(routeFile));
    }

    /**
     * A client whose chain is about {@code kib} KiB of DER: its intermediate CA carries many DNS names
     * (on the intermediate, so the identity headers of the leaf stay small).
     */
    private IssuedCertificate clientOf(int kib) {
        String[] names = IntStream.range(0, kib * 1024 / 24).mapToObj(i -> "host-" + i + ".large.example")
                .toArray(String[]::new);
        IssuedCertificate intermediate = new CertificateBuilder().subject("CN=large intermediate,O=Test").ca(0)
                .dns(names).signedBy(pki.clientCa);
        return new CertificateBuilder().subject("CN=large,O=Test").forClient().signedBy(intermediate);
    }

    @Test
    void isServedWithFullHandshakesInsteadOfABrokenTicket() throws Exception {
        IssuedCertificate large = clientOf(40);
        assertTrue(large.chainWithoutRoot().get(1).getEncoded().length > 32 * 1024);
        try (ResumingClient client = new ResumingClient(pki.server.root(), large)) {
            assertFalse(client.get(gateway.address(GatewayFixture.LISTENER)), "served: a 200 after a full handshake");
            assertFalse(client.get(gateway.address(GatewayFixture.LISTENER)), "no ticket, so no resumption");
        }
        assertEquals(2.0, AdminClient.value(new AdminClient(gateway.adminAddress()).scrape(),
                "mtls_gateway_tls_tickets_withheld_total", "listener", GatewayFixture.LISTENER,
                "reason", "large_client_chain"));
    }
}
