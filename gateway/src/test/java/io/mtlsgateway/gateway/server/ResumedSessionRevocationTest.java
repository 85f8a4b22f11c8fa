package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.CrlIssuer;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.ResumingClient;
import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resumed session is judged by today's revocation, not by the day it was verified: a client whose
 * certificate a reloaded CRL revokes is refused when it comes back with its ticket, while a client
 * verified before the same reload still resumes (the ticket keys survive the reload, so the refusal is
 * the resumption's re-check, not a lost session).
 */
class ResumedSessionRevocationTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @TempDir
    Path dir;

    TestPki pki;
    Path crl;
    GatewayServer gateway;

    @BeforeEach
    void start() throws Exception {
        pki = new TestPki(dir);
        EchoUpstream upstream = stack.keep(EchoUpstream.start(0));
        crl = dir.resolve("clients.crl");
        writeCrl(List.of());
        String anchor = "      clientCa: " + pki.clientCaFile + "\n";
        String text = RouteFile.text(pki, RouteFile.route("all", "/"), upstream.port(), "");
        assertTrue(text.contains(anchor), "the route file template changed: no place for crl");
        Path routeFile = dir.resolve("routes.yaml");
        Files.writeString(routeFile, text.replace(anchor, anchor + "      crl: [" + crl + "]\n"));
        gateway = stack.start(ConfigLoader.load(routeFile), GatewayServer.FileWatching.OFF);
    }

    @Test
    void aClientRevokedSinceItsFullHandshakeIsRefusedOnResumptionWhileOthersResume() throws Exception {
        IssuedCertificate doomed = pki.client("doomed", null);
        try (ResumingClient revokedLater = new ResumingClient(pki.server.root(), doomed);
                ResumingClient kept = new ResumingClient(pki.server.root(), pki.client("kept", null))) {
            assertFalse(revokedLater.get(address()), "first visit: a full handshake");
            assertTrue(revokedLater.get(address()), "before the CRL change it resumes");
            assertFalse(kept.get(address()), "first visit: a full handshake");

            writeCrl(List.of(doomed.certificate().getSerialNumber()));
            assertTrue(gateway.reload("test").get(30, TimeUnit.SECONDS).success());

            assertTrue(kept.get(address()), "a session from before the reload still resumes");
            assertThrows(IOException.class, () -> revokedLater.get(address()),
                    "the revoked client's resumed session is refused");
        }
    }

    private InetSocketAddress address() {
        return gateway.address(GatewayFixture.LISTENER);
    }

    private void writeCrl(List<BigInteger> serials) throws Exception {
        Instant now = Instant.now();
        PemFiles.write(crl, CrlIssuer.issue(pki.clientCa, serials, now, now.plus(Duration.ofDays(7))));
    }
}
