package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.ResumingClient;
import io.mtlsgateway.gateway.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code sessionTickets} is a listener's own choice: in one route file a listener with tickets
 * resumes returning clients while one without never does (once, a single {@code false} switched
 * tickets off for the whole process).
 */
class SessionTicketsPerListenerTest {
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
        Files.writeString(routeFile, "version: 1\n"
                + "admin:\n  listen: 127.0.0.1:0\n"
                + "listeners:\n"
                + listener("tickets", "true")
                + listener("plain", "false")
                + "routes:\n"
                + "  - name: all\n    match: { pathPrefix: / }\n    upstream: echo\n"
                + "upstreams:\n  echo:\n    endpoints: [127.0.0.1:" + upstream.port() + "]\n");
        gateway = stack.start(ConfigLoader.load(routeFile));
    }

    private String listener(String name, String tickets) {
        return "  - name: " + name + "\n"
                + "    listen: 127.0.0.1:0\n"
                + "    tls:\n"
                + "      certificate: " + pki.serverCertificate + "\n"
                + "      privateKey: " + pki.serverKey + "\n"
                + "      clientCa: " + pki.clientCaFile + "\n"
                + "      sessionTickets: " + tickets + "\n";
    }

    @Test
    void theListenerWithTicketsResumesAndTheOtherNever() throws Exception {
        try (ResumingClient toTickets = new ResumingClient(pki.server.root(), pki.client("app", null));
                ResumingClient toPlain = new ResumingClient(pki.server.root(), pki.client("app", null))) {
            assertResumesOnlyWithTickets(toTickets, toPlain);
        }
    }

    private void assertResumesOnlyWithTickets(ResumingClient toTickets, ResumingClient toPlain) throws Exception {
        assertFalse(toTickets.get(gateway.address("tickets")), "first connection: a full handshake");
        assertTrue(toTickets.get(gateway.address("tickets")), "returning client resumes");
        assertTrue(toTickets.get(gateway.address("tickets")), "and again, with the ticket it got last time");
        for (int i = 0; i < 3; i++) {
            assertFalse(toPlain.get(gateway.address("plain")), "sessionTickets: false never resumes");
        }

        String scrape = new AdminClient(gateway.adminAddress()).scrape();
        assertEquals(1.0, AdminClient.value(scrape, "mtls_gateway_tls_sessions_total", "listener", "tickets",
                "kind", "full"));
        assertEquals(2.0, AdminClient.value(scrape, "mtls_gateway_tls_sessions_total", "listener", "tickets",
                "kind", "resumed"));
        assertEquals(3.0, AdminClient.value(scrape, "mtls_gateway_tls_sessions_total", "listener", "plain",
                "kind", "full"));
        assertEquals(0.0, AdminClient.value(scrape, "mtls_gateway_tls_sessions_total", "listener", "plain",
                "kind", "resumed"));
    }
}
