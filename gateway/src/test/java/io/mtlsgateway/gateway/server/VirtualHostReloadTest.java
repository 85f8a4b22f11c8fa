package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.HostsPki;
import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One host entry's certificate rotates, reload after reload, while clients of both entries keep
 * connecting: no request fails, the rotated entry serves its new certificate, the other entry
 * keeps its own, and a connection opened before the rotations keeps working.
 */
class VirtualHostReloadTest {
    private static final String API = "api.bank.test";
    private static final String OPS = "ops.bank.test";
    private static final int RELOADS = 4;
    private static final int CLIENTS = 4;
    /** A bound, should the test hang: the clients stop when the rotations are done. */
    private static final int MAX_REQUESTS_PER_CLIENT = 100_000;

    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    private static String routeFile(TestPki pki, HostsPki hosts, int upstreamPort) {
        return "version: 1\nworkers: 2\nadmin:\n  listen: 127.0.0.1:0\n"
                + "listeners:\n"
                + "  - name: edge\n"
                + "    listen: 127.0.0.1:0\n"
                + "    identityHeaders:\n      X-Client-Subject: \"${subject}\"\n"
                + "    hosts:\n"
                + "      - names: [" + API + "]\n"
                + "        tls: { certificate: " + pki.dir.resolve(API + ".pem") + ", privateKey: "
                + pki.dir.resolve(API + ".key") + ", clientCa: " + pki.clientCaFile + " }\n"
                + "      - names: [" + OPS + "]\n"
                + "        tls: { certificate: " + pki.dir.resolve(OPS + ".pem") + ", privateKey: "
                + pki.dir.resolve(OPS + ".key") + ", clientCa: " + hosts.opsCaFile + " }\n"
                + "    default: " + API + "\n"
                + "routes:\n"
                + "  - { name: api, match: { host: " + API + " }, upstream: echo }\n"
                + "  - { name: ops, match: { host: " + OPS + " }, upstream: echo }\n"
                + "upstreams:\n  echo:\n    endpoints: [127.0.0.1:" + upstreamPort + "]\n";
    }

    @Test
    void rotatingOneHostsCertificateUnderLoadFailsNoRequestAndLeavesTheOtherHostAlone() throws Exception {
        TestPki pki = stack.pki();
        HostsPki hosts = new HostsPki(pki);
        hosts.serverTls(API, ClientAuthMode.REQUIRE, pki.clientCaFile);
        hosts.serverTls(OPS, ClientAuthMode.REQUIRE, hosts.opsCaFile);
        EchoUpstream upstream = stack.keep(EchoUpstream.start(0));
        Path file = stack.dir().resolve("routes.yaml");
        RouteFile.replace(file, routeFile(pki, hosts, upstream.port()));
        GatewayServer gateway = stack.start(ConfigLoader.load(file), GatewayServer.FileWatching.OFF);
        InetSocketAddress edge = gateway.address("edge");
        IssuedCertificate partner = pki.client("partner", null);
        IssuedCertificate operator = hosts.opsClient("operator");
        BigInteger apiSerial;
        try (TlsTestClient probe = TlsTestClient.connectTo(API, edge, pki.server.root(), partner)) {
            apiSerial = probe.serverCertificates()[0].getSerialNumber();
        }
        TlsTestClient early = TlsTestClient.connectTo(OPS, edge, pki.server.root(), operator);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger ok = new AtomicInteger();
        // One permit per request answered: the test waits on these to know the load runs on.
        Semaphore answered = new Semaphore(0);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            String name = i % 2 == 0 ? API : OPS;
            IssuedCertificate certificate = i % 2 == 0 ? partner : operator;
            Thread client = new Thread(() -> {
                for (int n = 0; n < MAX_REQUESTS_PER_CLIENT && !stop.get(); n++) {
                    // A new connection each time: every request is also a handshake across the swaps.
                    try (TlsTestClient connection = TlsTestClient.connectTo(name, edge, pki.server.root(),
                            certificate)) {
                        X509Certificate served = connection.serverCertificates()[0];
                        // Each entry serves its own certificate at every moment of the rotations.
                        if (name.equals(API) ? !served.getSerialNumber().equals(apiSerial)
                                : !served.getSubjectX500Principal().getName().startsWith("CN=" + OPS)) {
                            failures.add(name + ": served " + served.getSubjectX500Principal());
                        }
                        int status = connection.send("GET /n HTTP/1.1\r\nHost: " + name + "\r\n\r\n")
                                .readResponse().status();
                        if (status == 200) {
                            ok.incrementAndGet();
                        } else {
                            failures.add(name + ": status " + status);
                        }
                    } catch (Exception e) {
                        failures.add(name + ": " + e);
                    }
                    answered.release();
                }
            }, "client-" + i);
            clients.add(client);
            client.start();
        }
        IssuedCertificate latest = null;
        for (int r = 1; r <= RELOADS; r++) {
            // Requests are being answered as the reload starts and again once it is applied: the swap
            // happens under load, never in a lull.
            answered.drainPermits();
            assertTrue(answered.tryAcquire(CLIENTS, 60, TimeUnit.SECONDS), "load before reload " + r);
            latest = hosts.writeServer(OPS, "-v" + r);
            ReloadOutcome outcome = gateway.reload("test").get(60, TimeUnit.SECONDS);
            assertTrue(outcome.success() && outcome.kept().isEmpty(), outcome.toString());
            answered.drainPermits();
            assertTrue(answered.tryAcquire(CLIENTS, 60, TimeUnit.SECONDS), "load after reload " + r);
        }
        stop.set(true);
        for (Thread client : clients) {
            client.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertEquals(List.of(), List.copyOf(failures));
        assertTrue(ok.get() >= 2 * RELOADS * CLIENTS, "requests were served: " + ok.get());

        try (TlsTestClient ops = TlsTestClient.connectTo(OPS, edge, pki.server.root(), operator);
                TlsTestClient api = TlsTestClient.connectTo(API, edge, pki.server.root(), partner)) {
            assertEquals(latest.certificate(), ops.serverCertificates()[0], "the rotated entry serves its new certificate");
            assertEquals(apiSerial, api.serverCertificates()[0].getSerialNumber(), "the other entry kept its own");
        }
        // Opened before the first rotation, on the old certificate: still served.
        assertEquals(200, early.send("GET /late HTTP/1.1\r\nHost: " + OPS + "\r\n\r\n").readResponse().status());
        early.close();

        String scrape = new AdminClient(gateway.adminAddress()).scrape();
        assertEquals((double) latest.certificate().getNotAfter().toInstant().getEpochSecond(),
                AdminClient.value(scrape, "mtls_gateway_host_certificate_expiry_timestamp_seconds", "host", OPS,
                        "role", "server"), scrape);
        assertTrue(AdminClient.value(scrape, "mtls_gateway_host_handshakes_total", "host", API, "reason", "none") > 0,
                scrape);
        assertTrue(AdminClient.value(scrape, "mtls_gateway_host_requests_total", "host", OPS, "code", "200") > 0,
                scrape);
        assertTrue(Files.exists(file));
    }
    @Test
    void aBrokenEntryKeepsItsLastGoodCertificateWhileTheOtherEntryTakesItsNewOne() throws Exception {
        TestPki pki = stack.pki();
        HostsPki hosts = new HostsPki(pki);
        hosts.serverTls(API, ClientAuthMode.REQUIRE, pki.clientCaFile);
        hosts.serverTls(OPS, ClientAuthMode.REQUIRE, hosts.opsCaFile);
        EchoUpstream upstream = stack.keep(EchoUpstream.start(0));
        Path file = stack.dir().resolve("routes.yaml");
        RouteFile.replace(file, routeFile(pki, hosts, upstream.port()));
        GatewayServer gateway = stack.start(ConfigLoader.load(file), GatewayServer.FileWatching.OFF);
        InetSocketAddress edge = gateway.address("edge");
        IssuedCertificate partner = pki.client("partner", null);
        IssuedCertificate operator = hosts.opsClient("operator");
        X509Certificate apiBefore;
        try (TlsTestClient api = TlsTestClient.connectTo(API, edge, pki.server.root(), partner)) {
            apiBefore = api.serverCertificates()[0];
        }

        // API's new certificate file is broken (its block is no certificate); OPS gets a new certificate.
        Path apiPem = pki.dir.resolve(API + ".pem");
        Files.writeString(apiPem, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        String broken = apiPem + ": line 1: the CERTIFICATE block is not a valid X.509 certificate";
        IssuedCertificate opsNew = hosts.writeServer(OPS, "-v2");
        List<String> warnings = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger(ConfigReloader.class.getName());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record.getMessage());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(capture);
        ReloadOutcome outcome;
        try {
            outcome = gateway.reload("test").get(60, TimeUnit.SECONDS);
        } finally {
            logger.removeHandler(capture);
        }
        assertTrue(outcome.success(), "the reload applies to the other entry: " + outcome.problems());
        assertEquals(1, outcome.kept().size(), outcome.kept().toString());
        KeptHostEntry kept = outcome.kept().get(0);
        assertEquals("edge", kept.listener());
        assertEquals(API, kept.host());
        assertTrue(kept.problems().get(0).startsWith(broken), kept.problems().toString());
        String warning = String.join("\n", warnings);
        assertTrue(warning.contains("listener edge host " + API + ": keeps its previous certificate and client policy: "
                + broken), warning);

        try (TlsTestClient api = TlsTestClient.connectTo(API, edge, pki.server.root(), partner);
                TlsTestClient ops = TlsTestClient.connectTo(OPS, edge, pki.server.root(), operator)) {
            assertEquals(apiBefore, api.serverCertificates()[0], "the broken entry serves its last good certificate");
            assertEquals(opsNew.certificate(), ops.serverCertificates()[0], "the other entry took its new one");
            assertEquals(200, api.send("GET /a HTTP/1.1\r\nHost: " + API + "\r\n\r\n").readResponse().status());
            assertEquals(200, ops.send("GET /o HTTP/1.1\r\nHost: " + OPS + "\r\n\r\n").readResponse().status());
            // Still bound to its entry: the kept state judges Host with the new table.
            assertEquals(421, api.send("GET /a HTTP/1.1\r\nHost: " + OPS + "\r\n\r\n").readResponse().status());
        }
        String scrape = new AdminClient(gateway.adminAddress()).scrape();
        assertEquals(1.0, AdminClient.value(scrape, "mtls_gateway_config_reloads_total", "outcome", "failure",
                "listener", "edge", "host", API), scrape);
        assertEquals(1.0, AdminClient.value(scrape, "mtls_gateway_config_reloads_total", "outcome", "success",
                "listener", "", "host", ""), scrape);
        assertEquals((double) apiBefore.getNotAfter().toInstant().getEpochSecond(),
                AdminClient.value(scrape, "mtls_gateway_host_certificate_expiry_timestamp_seconds", "host", API,
                        "role", "server"), "the gauge shows what is served: " + scrape);
        // check judges the files as they are: the broken one fails it.
        List<String> problems = ConfigCheck.run(ConfigLoader.load(file), Instant.now()).stream()
                .flatMap(report -> report.problems().stream()).toList();
        assertTrue(problems.stream().anyMatch(p -> p.startsWith(broken)), problems.toString());

        // Once the file is fixed, the next reload gives the entry its new certificate.
        IssuedCertificate apiNew = hosts.writeServer(API, "-v2");
        ReloadOutcome fixed = gateway.reload("test").get(60, TimeUnit.SECONDS);
        assertTrue(fixed.success() && fixed.kept().isEmpty(), fixed.toString());
        try (TlsTestClient api = TlsTestClient.connectTo(API, edge, pki.server.root(), partner)) {
            assertEquals(apiNew.certificate(), api.serverCertificates()[0]);
        }
    }

    @Test
    void aBrokenFileOfAnEntryNewInTheConfigRefusesTheReload() throws Exception {
        TestPki pki = stack.pki();
        HostsPki hosts = new HostsPki(pki);
        hosts.serverTls(API, ClientAuthMode.REQUIRE, pki.clientCaFile);
        hosts.serverTls(OPS, ClientAuthMode.REQUIRE, hosts.opsCaFile);
        EchoUpstream upstream = stack.keep(EchoUpstream.start(0));
        Path file = stack.dir().resolve("routes.yaml");
        String original = routeFile(pki, hosts, upstream.port());
        // Only API at first; OPS comes with the reload, and its key belongs to another certificate.
        List<String> lines = new ArrayList<>(List.of(original.split("\n")));
        int ops = lines.indexOf("      - names: [" + OPS + "]");
        lines.subList(ops, ops + 2).clear(); // its names and tls lines
        String apiOnly = String.join("\n", lines) + "\n";
        RouteFile.replace(file, apiOnly);
        GatewayServer gateway = stack.start(ConfigLoader.load(file), GatewayServer.FileWatching.OFF);
        PemFiles.writePrivateKey(pki.dir.resolve(OPS + ".key"), hosts.writeServer("other.bank.test", "").privateKey());
        RouteFile.replace(file, original);
        ReloadOutcome outcome = gateway.reload("test").get(60, TimeUnit.SECONDS);
        assertFalse(outcome.success(), "no last good state to keep for a new entry");
        assertTrue(outcome.problems().toString().contains(pki.dir.resolve(OPS + ".key") + ": the private key does"
                + " not belong"), outcome.problems().toString());
    }
}
