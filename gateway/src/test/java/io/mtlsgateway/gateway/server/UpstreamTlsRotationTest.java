package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TlsUpstream;
import io.mtlsgateway.gateway.testing.Traffic;
import io.mtlsgateway.gateway.testing.UpstreamPki;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rotating upstream TLS material while clients keep sending requests: the gateway's own client
 * certificate, and the CA the upstream's certificate comes from. No request may fail; new
 * connections use the new material and pooled ones made with the old material are retired.
 */
class UpstreamTlsRotationTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @TempDir
    Path dir;

    TestPki pki;
    UpstreamPki up;
    TlsUpstream upstream;
    GatewayServer gateway;
    IssuedCertificate client;

    @BeforeEach
    void start() throws Exception {
        pki = new TestPki(dir);
        up = new UpstreamPki(dir);
        client = pki.client("app", null);
        upstream = stack.keep(TlsUpstream.start(up.server, List.of(up.gatewayClientCa.certificate()), false));
        Path routeFile = dir.resolve("routes.yaml");
        Files.writeString(routeFile, "version: 1\nworkers: 2\nadmin:\n  listen: 127.0.0.1:0\n"
                + "listeners:\n  - name: edge\n    listen: 127.0.0.1:0\n    tls:\n"
                + "      certificate: " + pki.serverCertificate + "\n      privateKey: " + pki.serverKey + "\n"
                + "      clientCa: " + pki.clientCaFile + "\n"
                + "routes:\n  - name: api\n    upstream: ledger\n"
                + "upstreams:\n  ledger:\n    endpoints: [127.0.0.1:" + upstream.port() + "]\n" + up.tlsBlock(""));
        // Reloads are the test's own: a watcher-triggered one in between would only repeat them.
        gateway = stack.start(ConfigLoader.load(routeFile), GatewayServer.FileWatching.OFF);
    }

    private Traffic traffic() throws InterruptedException {
        return new Traffic(2, gateway.address(GatewayFixture.LISTENER), pki.server.root(), client, "/x").awaitWarm();
    }

    private void reload() throws Exception {
        ReloadOutcome outcome = gateway.reload("test").get(30, TimeUnit.SECONDS);
        assertTrue(outcome.success(), outcome.problems().toString());
    }

    /** What the upstream saw as the gateway's certificate on a request made now. */
    private String gatewaySubjectSeenUpstream() throws Exception {
        try (TlsTestClient connection = TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER),
                pki.server.root(), client)) {
            var response = connection.send("GET /who HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse();
            assertEquals(200, response.status(), response.body());
            return response.headers().get("x-upstream-client");
        }
    }

    @Test
    void rotatesTheGatewayClientCertificateUnderLoadWithoutAFailedRequest() throws Exception {
        assertEquals("CN=gateway-client,O=Test", gatewaySubjectSeenUpstream());
        try (Traffic traffic = traffic()) {
            up.writeClient(up.gatewayClient("gateway-client-2"));
            reload();
            traffic.awaitMore(20);
            assertEquals(List.of(), traffic.stop());
        }
        // Stale pooled connections were retired after their request: every new one has the new certificate.
        assertEquals("CN=gateway-client-2,O=Test", gatewaySubjectSeenUpstream());
        assertEquals("CN=gateway-client-2,O=Test", gatewaySubjectSeenUpstream());
    }

    @Test
    void rotatesTheUpstreamCaUnderLoadWithoutAFailedRequest() throws Exception {
        IssuedCertificate newCa = new CertificateBuilder().subject("CN=upstream CA 2,O=Test").ca(-1).selfSigned();
        IssuedCertificate newServer = UpstreamPki.server("ledger-2").signedBy(newCa);
        try (Traffic traffic = traffic()) {
            // 1. The gateway trusts both CAs; 2. the upstream switches; 3. the gateway drops the old CA.
            PemFiles.write(up.upstreamCaFile, up.upstreamCa.certificate(), newCa.certificate());
            reload();
            traffic.awaitMore(10);
            upstream.serve(newServer);
            traffic.awaitMore(10);
            PemFiles.write(up.upstreamCaFile, newCa.certificate());
            reload();
            int handshakes = upstream.handshakes();
            traffic.awaitMore(20);
            assertEquals(List.of(), traffic.stop());
            assertTrue(upstream.handshakes() > handshakes, "new connections were made after the old CA went");
        }
        assertEquals("CN=gateway-client,O=Test", gatewaySubjectSeenUpstream());
    }
}
