package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.CrlIssuer;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.H2TestClient.Reply;
import io.mtlsgateway.gateway.testing.HeldUpstream;
import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.tls.PemFiles;
import io.netty.handler.codec.http2.Http2Error;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload that no longer trusts an h2 client: its connection gets a graceful GOAWAY, the stream
 * in flight finishes, nothing new is served, then the connection closes; other clients go on.
 */
class Http2ReloadTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @TempDir
    Path dir;

    @Test
    void aClientTheReloadRevokesGetsGoAwayAfterItsInFlightStream() throws Exception {
        TestPki pki = new TestPki(dir);
        EchoUpstream echo = stack.keep(EchoUpstream.start(0));
        HeldUpstream held = stack.keep(new HeldUpstream());
        Path crl = dir.resolve("clients.crl");
        writeCrl(pki, crl, List.of());
        Path routeFile = dir.resolve("routes.yaml");
        String routes = RouteFile.text(pki, RouteFile.route("api", "/api")
                + "  - name: slow\n    match: { pathPrefix: /slow }\n    upstream: held\n", echo.port(), "")
                .replace("      clientCa: " + pki.clientCaFile + "\n",
                        "      clientCa: " + pki.clientCaFile + "\n      crl: [" + crl + "]\n")
                + "  held:\n    endpoints: [127.0.0.1:" + held.port() + "]\n";
        Files.writeString(routeFile, routes);
        GatewayServer gateway = stack.start(ConfigLoader.load(routeFile), GatewayServer.FileWatching.OFF);
        IssuedCertificate doomed = pki.client("doomed", "spiffe://test.example/ns/prod/sa/doomed");
        IssuedCertificate kept = pki.client("kept", "spiffe://test.example/ns/prod/sa/kept");
        try (H2TestClient revoked = H2TestClient.connect(gateway.address(GatewayFixture.LISTENER), pki.server.root(),
                        doomed);
                H2TestClient other = H2TestClient.connect(gateway.address(GatewayFixture.LISTENER), pki.server.root(),
                        kept)) {
            assertEquals(200, revoked.get("/api/before").status());
            CompletableFuture<Reply> inFlight = revoked.request(H2TestClient.head("GET", "/slow/x"), null, null);
            held.awaitRequest();

            writeCrl(pki, crl, List.of(doomed.certificate().getSerialNumber()));
            assertTrue(gateway.reload("test").get(30, TimeUnit.SECONDS).success());

            assertEquals(Http2Error.NO_ERROR.code(), revoked.goAway().get(10, TimeUnit.SECONDS));
            assertFalse(inFlight.isDone(), "the stream in flight is not cut off");
            // After the GOAWAY the connection takes no new stream.
            Reply refused = revoked.request(H2TestClient.head("GET", "/api/after"), null, null)
                    .handle((reply, error) -> reply).get(10, TimeUnit.SECONDS);
            assertTrue(refused == null || refused.status() != 200, String.valueOf(refused));
            held.release();
            Reply finished = inFlight.get(10, TimeUnit.SECONDS);
            assertEquals(200, finished.status());
            assertEquals("held", finished.body());
            assertTrue(revoked.channel().closeFuture().await(10, TimeUnit.SECONDS), "the connection stays open");
            // Another client's connection is not disturbed.
            assertEquals(200, other.get("/api/still").status());
        }
        double untrusted = AdminClient.value(new AdminClient(gateway.adminAddress()).scrape(),
                "mtls_gateway_h2_goaway_total", "reason", "untrusted");
        assertEquals(1.0, untrusted);
    }

    private static void writeCrl(TestPki pki, Path crl, List<BigInteger> serials) throws Exception {
        Instant now = Instant.now();
        PemFiles.write(crl, CrlIssuer.issue(pki.clientCa, serials, now, now.plus(Duration.ofDays(7))));
    }
}
