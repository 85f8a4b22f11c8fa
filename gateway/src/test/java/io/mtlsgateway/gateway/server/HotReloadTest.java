package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.CrlIssuer;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.RevocationProbe;
import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.Traffic;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloads of certificates, client CAs and routes while clients keep sending requests; the file
 * watcher is off (FileWatchTest has it on).
 */
class HotReloadTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @TempDir
    Path dir;

    TestPki pki;
    EchoUpstream upstream;
    GatewayServer gateway;
    Path routeFile;
    IssuedCertificate client;

    @BeforeEach
    void start() throws Exception {
        pki = new TestPki(dir);
        upstream = stack.keep(EchoUpstream.start(0));
        client = pki.client("app", null);
        routeFile = dir.resolve("routes.yaml");
        Files.writeString(routeFile, routes(RouteFile.route("api", "/api")));
        // Each test reloads itself; a watcher would add reloads of its own.
        gateway = stack.start(ConfigLoader.load(routeFile), GatewayServer.FileWatching.OFF);
    }

    private String routes(String routesYaml) {
        return RouteFile.text(pki, routesYaml, upstream.port(), "");
    }

    private TlsTestClient connect(IssuedCertificate certificate) throws Exception {
        return TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER), pki.server.root(), certificate);
    }

    private int status(String path) throws Exception {
        try (TlsTestClient connection = connect(client)) {
            return connection.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status();
        }
    }

    private Traffic traffic() throws InterruptedException {
        return new Traffic(2, gateway.address(GatewayFixture.LISTENER), pki.server.root(), client, "/api/x")
                .awaitWarm();
    }

    /** Points the listener at a CRL of the client CA revoking these serials, and reloads. */
    private Path useCrlRevoking(List<java.math.BigInteger> serials) throws Exception {
        Path crl = dir.resolve("clients.crl");
        writeCrl(crl, serials);
        RouteFile.replace(routeFile, routes(RouteFile.route("api", "/api"))
                .replace("      clientCa: " + pki.clientCaFile + "\n",
                        "      clientCa: " + pki.clientCaFile + "\n      crl: [" + crl + "]\n"));
        assertTrue(gateway.reload("test").get(30, TimeUnit.SECONDS).success());
        return crl;
    }

    private void writeCrl(Path crl, List<java.math.BigInteger> serials) throws Exception {
        java.time.Instant now = java.time.Instant.now();
        PemFiles.write(crl, CrlIssuer.issue(pki.clientCa, serials, now, now.plus(java.time.Duration.ofDays(7))));
    }

    @Test
    void rotatesTheServerCertificateUnderLoadWithoutAFailedRequest() throws Exception {
        // Same CA as before, so clients keep trusting the gateway across the rotation.
        IssuedCertificate rotated = new CertificateBuilder().subject("CN=gateway-rotated").forServer()
                .dns("localhost").ip("127.0.0.1").signedBy(pki.serverCa);
        try (TlsTestClient open = connect(client)) {
            Traffic traffic = traffic();
            PemFiles.write(pki.serverCertificate, rotated.chainWithoutRoot().toArray());
            PemFiles.writePrivateKey(pki.serverKey, rotated.privateKey());
            ReloadOutcome outcome = gateway.reload("test").get(30, TimeUnit.SECONDS);
            assertTrue(outcome.success(), outcome.problems().toString());
            traffic.awaitMore(6);
            assertEquals(List.of(), traffic.stop());

            try (TlsTestClient fresh = connect(client)) {
                assertEquals("CN=gateway-rotated", fresh.serverCertificates()[0].getSubjectX500Principal().getName());
            }
            // The connection opened before the rotation keeps its old session and still works.
            assertEquals("CN=gateway", open.serverCertificates()[0].getSubjectX500Principal().getName());
            assertEquals(200, open.send("GET /api/old HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
        }
    }

    @Test
    void appliesARouteChangeUnderLoadWithoutAFailedRequest() throws Exception {
        assertEquals(404, status("/new/x"));
        try (Traffic traffic = traffic()) {
            RouteFile.replace(routeFile, routes(RouteFile.route("api", "/api") + RouteFile.route("new", "/new")));
            assertTrue(gateway.reload("test").get(30, TimeUnit.SECONDS).success());
            traffic.awaitMore(6);
            assertEquals(List.of(), traffic.stop());
        }
        assertEquals(200, status("/new/x"));
    }

    @Test
    void appliesAClientCaChangeToNewConnections() throws Exception {
        IssuedCertificate otherCa = new CertificateBuilder().subject("CN=second client CA").ca(-1).selfSigned();
        IssuedCertificate newcomer = new CertificateBuilder().subject("CN=newcomer").forClient().signedBy(otherCa);
        assertThrows(Exception.class, () -> connect(newcomer).send("GET /api/x HTTP/1.1\r\nHost: l\r\n\r\n")
                .readResponse());
        try (Traffic traffic = traffic()) {
            PemFiles.write(pki.clientCaFile, pki.clientCa.certificate(), otherCa.certificate());
            assertTrue(gateway.reload("test").get(30, TimeUnit.SECONDS).success());
            traffic.awaitMore(6);
            assertEquals(List.of(), traffic.stop());
        }
        try (TlsTestClient connection = connect(newcomer)) {
            assertEquals(200, connection.send("GET /api/x HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
        }
    }

    @Test
    void refusesAClientTheNewCrlRevokesWhileOthersKeepBeingServed() throws Exception {
        Path crl = useCrlRevoking(List.of());
        IssuedCertificate doomed = pki.client("doomed", null);
        try (TlsTestClient connection = connect(doomed)) {
            assertEquals(200, connection.send("GET /api/x HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
        }
        try (Traffic traffic = traffic()) {
            writeCrl(crl, List.of(doomed.certificate().getSerialNumber()));
            assertTrue(gateway.reload("test").get(30, TimeUnit.SECONDS).success());
            traffic.awaitMore(6);
            assertEquals(List.of(), traffic.stop());
        }
        RevocationProbe.assertRevoked(gateway, () -> connect(doomed));
    }

    @Test
    void closesAnOpenConnectionOfAClientTheNewCrlRevokes() throws Exception {
        Path crl = useCrlRevoking(List.of());
        IssuedCertificate doomed = pki.client("doomed", null);
        try (TlsTestClient kept = connect(client); TlsTestClient connection = connect(doomed)) {
            assertEquals(200, connection.send("GET /api/x HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
            writeCrl(crl, List.of(doomed.certificate().getSerialNumber()));
            assertTrue(gateway.reload("test").get(30, TimeUnit.SECONDS).success());
            // DESIGN.md: a connection whose client is now revoked is closed after its in-flight request.
            assertThrows(java.io.IOException.class, () ->
                    connection.send("GET /api/x HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse());
            // Another client's open connection is not disturbed.
            assertEquals(200, kept.send("GET /api/y HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
        }
    }

    @Test
    void closesAnOpenConnectionOfAClientThatANewRequireEkuRefuses() throws Exception {
        IssuedCertificate noEku = new CertificateBuilder().subject("CN=no eku,O=Test").signedBy(pki.clientCa);
        try (TlsTestClient kept = connect(client); TlsTestClient connection = connect(noEku)) {
            assertEquals(200, connection.send("GET /api/x HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
            RouteFile.replace(routeFile, routes(RouteFile.route("api", "/api"))
                    .replace("      clientCa: " + pki.clientCaFile + "\n",
                            "      clientCa: " + pki.clientCaFile + "\n      requireEku: true\n"));
            assertTrue(gateway.reload("test").get(30, TimeUnit.SECONDS).success());
            // Only the policy changed, not the anchors or CRLs: the open connection of a leaf without an EKU
            // is re-checked against it, as a new handshake would be, and closed after its in-flight request.
            assertThrows(java.io.IOException.class, () ->
                    connection.send("GET /api/x HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse());
            // The client whose leaf names clientAuth keeps its connection.
            assertEquals(200, kept.send("GET /api/y HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
        }
    }

    @Test
    void theClosingLineForARevokedClientWithLineBreaksInItsSubjectStaysOneLine() throws Exception {
        Path crl = useCrlRevoking(List.of());
        javax.security.auth.x500.X500Principal forged = new javax.security.auth.x500.X500Principal(
                new org.bouncycastle.asn1.x500.X500Name(new org.bouncycastle.asn1.x500.RDN[] {
                    new org.bouncycastle.asn1.x500.RDN(org.bouncycastle.asn1.x500.style.BCStyle.CN,
                            new org.bouncycastle.asn1.DERUTF8String("doomed\r\n2026-12-01T00:00:00Z INFO forged"))})
                        .getEncoded());
        IssuedCertificate doomed = new CertificateBuilder().subject(forged).forClient().signedBy(pki.clientCa);
        java.util.List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.mtlsgateway.gateway.proxy.ProxyHandler");
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                warnings.add(new java.util.logging.SimpleFormatter().formatMessage(record));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(capture);
        try (TlsTestClient connection = connect(doomed)) {
            assertEquals(200, connection.send("GET /api/x HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
            writeCrl(crl, List.of(doomed.certificate().getSerialNumber()));
            assertTrue(gateway.reload("test").get(30, TimeUnit.SECONDS).success());
        } finally {
            logger.removeHandler(capture);
        }
        String line = warnings.stream().filter(w -> w.contains("closing the connection of")).findFirst()
                .orElseThrow(() -> new AssertionError("no closing line in " + warnings));
        assertFalse(line.contains("\r") || line.contains("\n"), line);
        assertTrue(line.contains("(subject \"CN=doomed\\0D\\0A2026-12-01T00:00:00Z INFO forged\""), line);
    }

    @Test
    void keepsServingWhenTheNewKeyDoesNotMatchTheCertificate() throws Exception {
        PemFiles.writePrivateKey(pki.serverKey, pki.client("other", null).privateKey());
        ReloadOutcome outcome = gateway.reload("test").get(30, TimeUnit.SECONDS);
        assertFalse(outcome.success());
        assertTrue(outcome.problems().get(0).contains("does not belong"), outcome.problems().toString());
        assertEquals(200, status("/api/still"));
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void refusesASelfMergingRouteFileAndAppliesTheRevocationThatFollows() throws Exception {
        Path crl = useCrlRevoking(List.of());
        IssuedCertificate doomed = pki.client("doomed", null);
        String good = Files.readString(routeFile);
        RouteFile.replace(routeFile, good + "x-defaults: &m { <<: *m }\n");
        ReloadOutcome refused = gateway.reload("test").get(60, TimeUnit.SECONDS);
        assertFalse(refused.success());
        assertTrue(refused.problems().get(0).startsWith(routeFile + ":"), refused.problems().toString());
        assertTrue(refused.problems().get(0).contains("YAML: alias *m is inside the node it refers to"),
                refused.problems().toString());
        assertEquals(200, status("/api/still"));

        // The reload thread is free: the next reload (a revocation) is applied.
        RouteFile.replace(routeFile, good);
        writeCrl(crl, List.of(doomed.certificate().getSerialNumber()));
        assertTrue(gateway.reload("test").get(60, TimeUnit.SECONDS).success());
        RevocationProbe.assertRevoked(gateway, () -> connect(doomed));
    }

    @Test
    void refusesAListenerChangeThatNeedsARestart() throws Exception {
        RouteFile.replace(routeFile, routes(RouteFile.route("api", "/api")).replace("- name: edge", "- name: moved"));
        ReloadOutcome outcome = gateway.reload("test").get(30, TimeUnit.SECONDS);
        assertFalse(outcome.success());
        assertTrue(outcome.problems().toString().contains("needs a restart"), outcome.problems().toString());
    }

    @Test
    void runsOnlyTheReloadsItIsAskedForWhenTheWatcherIsOff() throws Exception {
        RouteFile.replace(routeFile, routes(RouteFile.route("api", "/api") + RouteFile.route("new", "/new")));
        assertEquals(404, status("/new/x"));
        assertTrue(gateway.reload("test").get(30, TimeUnit.SECONDS).success());
        assertEquals(200, status("/new/x"));
        assertEquals(0.0, gateway.metrics().registry().get("mtls.gateway.config.watch.running").gauge().value());
        assertEquals(0.0, gateway.metrics().registry().get("mtls.gateway.config.watch.checks").counters().stream()
                .mapToDouble(c -> c.count()).sum());
    }

    @Test
    void exportsTheCrlNextUpdateOnceAReloadAddsACrl() throws Exception {
        java.time.Instant now = java.time.Instant.now();
        java.time.Instant nextUpdate = now.plus(java.time.Duration.ofDays(3));
        Path crl = dir.resolve("clients.crl");
        PemFiles.write(crl, io.mtlsgateway.gateway.pki.CrlIssuer.issue(pki.clientCa, List.of(), now, nextUpdate));
        RouteFile.replace(routeFile, routes(RouteFile.route("api", "/api")).replace(
                "      clientCa: " + pki.clientCaFile + "\n",
                "      clientCa: " + pki.clientCaFile + "\n      crl: [" + crl + "]\n"));
        assertTrue(gateway.reload("test").get(30, TimeUnit.SECONDS).success());
        assertEquals((double) nextUpdate.getEpochSecond(), gateway.metrics().registry()
                .get("mtls.gateway.certificate.expiry.timestamp").tag("role", "crl").gauge().value());
        assertEquals(200, status("/api/x"));
    }
}
