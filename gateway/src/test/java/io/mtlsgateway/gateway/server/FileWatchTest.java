package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.CrlIssuer;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.RevocationProbe;
import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.Traffic;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The file watcher on real files: what it reacts to, what it ignores, and that it cannot be starved. */
class FileWatchTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @TempDir
    Path dir;

    TestPki pki;
    EchoUpstream upstream;
    GatewayServer gateway;
    Path routeFile;
    Path crl;
    IssuedCertificate client;
    IssuedCertificate doomed;
    ScheduledExecutorService writer;
    final AtomicReference<Throwable> writerFailure = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        pki = new TestPki(dir);
        upstream = stack.keep(EchoUpstream.start(0));
        client = pki.client("app", null);
        doomed = pki.client("doomed", null);
        crl = dir.resolve("clients.crl");
        writeCrl(List.of());
        routeFile = dir.resolve("routes.yaml");
        Files.writeString(routeFile, routes(RouteFile.route("api", "/api")));
        gateway = stack.start(ConfigLoader.load(routeFile));
    }

    @AfterEach
    void stop() throws Exception {
        if (writer != null) {
            writer.shutdownNow();
            assertTrue(writer.awaitTermination(30, TimeUnit.SECONDS));
        }
        assertEquals(null, writerFailure.get());
    }

    private String routes(String routesYaml) {
        return RouteFile.text(pki, routesYaml, upstream.port(), "")
                .replace("      clientCa: " + pki.clientCaFile + "\n",
                        "      clientCa: " + pki.clientCaFile + "\n      crl: [" + crl + "]\n");
    }

    private void writeCrl(List<BigInteger> serials) throws Exception {
        writeCrl(crl, serials);
    }

    private void writeCrl(Path file, List<BigInteger> serials) throws IOException {
        Instant now = Instant.now();
        PemFiles.write(file, CrlIssuer.issue(pki.clientCa, serials, now, now.plus(Duration.ofDays(7))));
    }

    private TlsTestClient connect(IssuedCertificate certificate) throws Exception {
        return TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER), pki.server.root(), certificate);
    }

    private int status(IssuedCertificate certificate, String path) throws Exception {
        try (TlsTestClient connection = connect(certificate)) {
            return connection.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status();
        }
    }

    private void assertRevoked(IssuedCertificate certificate) {
        RevocationProbe.assertRevoked(gateway, () -> connect(certificate));
    }

    private CompletableFuture<ReloadOutcome> nextReload() {
        CompletableFuture<ReloadOutcome> next = new CompletableFuture<>();
        gateway.onReload(next::complete);
        return next;
    }

    /** The first reload that succeeds from now on (a busy writer may cause others first). */
    private CompletableFuture<ReloadOutcome> nextSuccessfulReload() {
        CompletableFuture<ReloadOutcome> next = new CompletableFuture<>();
        gateway.onReload(outcome -> {
            if (outcome.success()) {
                next.complete(outcome);
            }
        });
        return next;
    }

    private double count(String name, String tag, String value) {
        return gateway.metrics().registry().get(name).tag(tag, value).counter().count();
    }

    /** Runs {@code write} every 100 ms (10 writes a second) until the test ends; returns after the first ten. */
    private void keepWriting(IoAction write) throws InterruptedException {
        CountDownLatch tenWrites = new CountDownLatch(10);
        // A fixed rate is the writer's pace, not a synchronisation: the test waits on the ten writes.
        writer = Executors.newSingleThreadScheduledExecutor(task -> new Thread(task, "busy-writer"));
        writer.scheduleAtFixedRate(() -> {
            try {
                write.run();
                tenWrites.countDown();
            } catch (Throwable e) {
                writerFailure.set(e);
                while (tenWrites.getCount() > 0) {
                    tenWrites.countDown();
                }
                throw new IllegalStateException(e); // ends the schedule
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
        assertTrue(tenWrites.await(30, TimeUnit.SECONDS));
        assertEquals(null, writerFailure.get());
    }

    interface IoAction {
        void run() throws IOException;
    }

    @Test
    void appliesACrlRevocationWhileAnotherFileInTheFolderIsWrittenTenTimesASecond() throws Exception {
        assertEquals(200, status(doomed, "/api/x"));
        Path accessLog = dir.resolve("access.log");
        keepWriting(() -> Files.writeString(accessLog, "GET /api/x 200\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND));
        CompletableFuture<ReloadOutcome> reloaded = nextReload();

        writeCrl(List.of(doomed.certificate().getSerialNumber()));

        ReloadOutcome outcome = reloaded.get(30, TimeUnit.SECONDS);
        assertEquals("file change", outcome.trigger());
        assertTrue(outcome.success(), outcome.problems().toString());
        assertRevoked(doomed);
        assertEquals(200, status(client, "/api/x"));
        // The access log's writes were seen and ignored: none of them led to a comparison.
        assertTrue(count("mtls.gateway.config.watch.events", "relevance", "ignored") >= 1);
        assertTrue(count("mtls.gateway.config.watch.events", "relevance", "watched") >= 1);
        assertEquals(1.0, count("mtls.gateway.config.watch.checks", "result", "changed"));
        assertEquals(0.0, count("mtls.gateway.config.watch.checks", "result", "unchanged"));
        assertEquals(1.0, count("mtls.gateway.config.reloads", "outcome", "success"));
    }

    @Test
    void appliesACrlRevocationWhileTheRouteFileIsRewrittenTenTimesASecond() throws Exception {
        // A config tool re-rendering the route file (same content) without pause: every rewrite
        // is an event about a watched file, so only the cap on the quiet period lets the CRL in.
        String text = Files.readString(routeFile);
        keepWriting(() -> RouteFile.replace(routeFile, text));
        CompletableFuture<ReloadOutcome> reloaded = nextSuccessfulReload();

        writeCrl(List.of(doomed.certificate().getSerialNumber()));

        ReloadOutcome outcome = reloaded.get(30, TimeUnit.SECONDS);
        assertEquals("file change", outcome.trigger());
        assertRevoked(doomed);
        assertTrue(count("mtls.gateway.config.watch.checks", "result", "changed") >= 1);
    }

    @Test
    void appliesARevocationWrittenToACrlFileWhileTheReloadThatAddsItRuns() throws Exception {
        // A route change that adds a CRL file, and the CA publishing a revocation into that file
        // right after the reload has read it: written from the reload's own outcome listener,
        // which runs after the new state is swapped in and before the watcher looks again.
        Path added = dir.resolve("added.crl");
        writeCrl(added, List.of());
        AtomicReference<Throwable> publishFailure = new AtomicReference<>();
        CompletableFuture<ReloadOutcome> addingReload = new CompletableFuture<>();
        CompletableFuture<ReloadOutcome> nextReload = new CompletableFuture<>();
        gateway.onReload(outcome -> {
            if (addingReload.isDone()) {
                nextReload.complete(outcome);
                return;
            }
            try {
                writeCrl(added, List.of(doomed.certificate().getSerialNumber()));
            } catch (IOException | RuntimeException e) {
                publishFailure.set(e);
            }
            addingReload.complete(outcome);
        });

        RouteFile.replace(routeFile, routes(RouteFile.route("api", "/api")).replace(crl.toString(), added.toString()));

        assertTrue(addingReload.get(30, TimeUnit.SECONDS).success());
        assertEquals(null, publishFailure.get());
        // The revocation came after that reload read the file: only a reload after it can apply it.
        ReloadOutcome outcome = nextReload.get(30, TimeUnit.SECONDS);
        assertEquals("file change", outcome.trigger());
        assertTrue(outcome.success(), outcome.problems().toString());
        assertRevoked(doomed);
        assertEquals(200, status(client, "/api/x"));
    }

    @Test
    void reloadsWhenTheWatcherSeesTheRouteFileChange() throws Exception {
        CompletableFuture<ReloadOutcome> reloaded = nextReload();
        RouteFile.replace(routeFile, routes(RouteFile.route("api", "/api") + RouteFile.route("new", "/new")));
        ReloadOutcome outcome = reloaded.get(60, TimeUnit.SECONDS);
        assertEquals("file change", outcome.trigger());
        assertTrue(outcome.success(), outcome.problems().toString());
        assertEquals(200, status(client, "/new/x"));
        assertEquals(1.0, gateway.metrics().registry().get("mtls.gateway.config.watch.running").gauge().value());
    }

    @Test
    void keepsServingAndCountsTheFailureWhenTheNewRouteFileIsBroken() throws Exception {
        CompletableFuture<ReloadOutcome> reloaded = nextReload();
        try (Traffic traffic = traffic()) {
            // Left to the file watcher alone, so exactly one reload reads the broken file.
            RouteFile.replace(routeFile, routes(RouteFile.route("api", "/api")).replace("upstream: echo",
                    "upstream: nowhere"));
            ReloadOutcome outcome = reloaded.get(60, TimeUnit.SECONDS);
            assertFalse(outcome.success());
            assertTrue(outcome.problems().get(0).contains(routeFile + ":"), outcome.problems().toString());
            assertTrue(outcome.problems().get(0).contains("unknown upstream 'nowhere'"), outcome.problems().toString());
            traffic.awaitMore(6);
            assertEquals(List.of(), traffic.stop());
        }
        assertEquals(1.0, count("mtls.gateway.config.reloads", "outcome", "failure"));
        assertEquals(200, status(client, "/api/still"));
    }

    private Traffic traffic() throws InterruptedException {
        return new Traffic(2, gateway.address(GatewayFixture.LISTENER), pki.server.root(), client, "/api/x")
                .awaitWarm();
    }

    @Test
    void followsAKubernetesStyleSecretSwapThroughTheDataSymlink() throws Exception {
        // The kubelet's layout: files are links through ..data, which points at a versioned folder.
        Path secret = Files.createDirectories(dir.resolve("secret"));
        Path v1 = Files.createDirectories(secret.resolve("..v1"));
        PemFiles.write(v1.resolve("tls.crt"), pki.server.chainWithoutRoot().toArray());
        PemFiles.writePrivateKey(v1.resolve("tls.key"), pki.server.privateKey());
        Files.createSymbolicLink(secret.resolve("..data"), v1.getFileName());
        Files.createSymbolicLink(secret.resolve("tls.crt"), Path.of("..data/tls.crt"));
        Files.createSymbolicLink(secret.resolve("tls.key"), Path.of("..data/tls.key"));
        CompletableFuture<ReloadOutcome> pointedAtSecret = nextReload();
        RouteFile.replace(routeFile, routes(RouteFile.route("api", "/api"))
                .replace(pki.serverCertificate.toString(), secret.resolve("tls.crt").toString())
                .replace(pki.serverKey.toString(), secret.resolve("tls.key").toString()));
        assertTrue(pointedAtSecret.get(60, TimeUnit.SECONDS).success());

        IssuedCertificate rotated = new CertificateBuilder().subject("CN=gateway-from-secret").forServer()
                .dns("localhost").ip("127.0.0.1").signedBy(pki.serverCa);
        Path v2 = Files.createDirectories(secret.resolve("..v2"));
        PemFiles.write(v2.resolve("tls.crt"), rotated.chainWithoutRoot().toArray());
        PemFiles.writePrivateKey(v2.resolve("tls.key"), rotated.privateKey());
        CompletableFuture<ReloadOutcome> swapped = nextReload();
        try (Traffic traffic = traffic()) {
            // As the kubelet does it: a new link, renamed over ..data; the old version folder goes.
            Path tmp = Files.createSymbolicLink(secret.resolve("..data_tmp"), v2.getFileName());
            Files.move(tmp, secret.resolve("..data"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            Files.delete(v1.resolve("tls.crt"));
            Files.delete(v1.resolve("tls.key"));
            Files.delete(v1);
            ReloadOutcome outcome = swapped.get(60, TimeUnit.SECONDS);
            assertEquals("file change", outcome.trigger());
            assertTrue(outcome.success(), outcome.problems().toString());
            traffic.awaitMore(6);
            assertEquals(List.of(), traffic.stop());
        }
        try (TlsTestClient fresh = connect(client)) {
            assertEquals("CN=gateway-from-secret", fresh.serverCertificates()[0].getSubjectX500Principal().getName());
        }
    }

    @Test
    void appliesARouteChangeRefusedForACrlFileThatDidNotExistOnceTheFileIsCreated() throws Exception {
        // The route change names a CRL before the CA has published it: refused, and the file's folder
        // and name watched, so publishing the CRL applies the change (with the revocation in it).
        Path later = dir.resolve("later.crl");
        CompletableFuture<ReloadOutcome> refused = nextReload();
        RouteFile.replace(routeFile, routes(RouteFile.route("api", "/api")).replace(crl.toString(), later.toString()));
        ReloadOutcome outcome = refused.get(30, TimeUnit.SECONDS);
        assertFalse(outcome.success());
        assertTrue(outcome.problems().toString().contains("no such file: " + later), outcome.problems().toString());
        assertFalse(outcome.retryable(), "a missing file is the route file's content: no retry until a change");
        assertEquals(200, status(doomed, "/api/x"));
        CompletableFuture<ReloadOutcome> applied = nextReload();

        writeCrl(later, List.of(doomed.certificate().getSerialNumber()));

        outcome = applied.get(30, TimeUnit.SECONDS);
        assertEquals("file change", outcome.trigger());
        assertTrue(outcome.success(), outcome.problems().toString());
        assertRevoked(doomed);
        assertEquals(200, status(client, "/api/x"));
        assertEquals(1.0, count("mtls.gateway.config.reloads", "outcome", "failure"));
    }

    @Test
    void appliesARevocationWhoseReloadFoundTheCrlMissingForAMomentThoughTheFileIsBackAsBefore() throws Exception {
        // The CA's tool replaces the CRL by deleting and re-creating it, and the reload looks just
        // then: the CRL is gone when the reload starts reading and back, with the same bytes the
        // watcher hashed, when it ends. The refusal is no reason to keep the revocation unapplied.
        Path aside = dir.resolve("clients.crl.aside");
        AtomicReference<Throwable> hookFailure = new AtomicReference<>();
        CompletableFuture<ReloadOutcome> refused = new CompletableFuture<>();
        CompletableFuture<ReloadOutcome> applied = nextSuccessfulReload();
        gateway.onReload(outcome -> {
            if (!refused.isDone()) {
                moveQuietly(aside, crl, hookFailure);
                refused.complete(outcome);
            }
        });
        // The reload logs this line on its own thread just before it reads anything.
        Logger reloaderLog = Logger.getLogger(ConfigReloader.class.getName());
        Handler moveAway = new Handler() {
            private boolean moved;

            @Override
            public synchronized void publish(LogRecord record) {
                if (!moved && String.valueOf(record.getMessage()).startsWith("reload (file change): reading")) {
                    moved = true;
                    moveQuietly(crl, aside, hookFailure);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        reloaderLog.addHandler(moveAway);
        try {
            writeCrl(List.of(doomed.certificate().getSerialNumber()));
            ReloadOutcome first = refused.get(30, TimeUnit.SECONDS);
            assertEquals(null, hookFailure.get());
            assertFalse(first.success());
            assertTrue(first.problems().toString().contains("no such file: " + crl), first.problems().toString());

            ReloadOutcome retried = applied.get(30, TimeUnit.SECONDS);
            assertEquals("file change, retry 1", retried.trigger());
        } finally {
            reloaderLog.removeHandler(moveAway);
        }
        assertRevoked(doomed);
        assertEquals(200, status(client, "/api/x"));
        assertEquals(1.0, count("mtls.gateway.config.reloads", "outcome", "failure"));
        assertEquals(1.0, count("mtls.gateway.config.reloads", "outcome", "success"));
    }

    @Test
    void appliesARevocationWhenTheFolderOfTheCrlIsReplacedAsAWholeAndWatchesTheNewFolder() throws Exception {
        // A deployment tool that writes a complete new folder and swaps it in with two renames:
        // no event about the CRL itself, only about the folder's name in the folder above it.
        Path certs = Files.createDirectories(dir.resolve("certs"));
        Path inCerts = certs.resolve("clients.crl");
        writeCrl(inCerts, List.of());
        CompletableFuture<ReloadOutcome> pointedAtCerts = nextReload();
        RouteFile.replace(routeFile, routes(RouteFile.route("api", "/api")).replace(crl.toString(), inCerts.toString()));
        assertTrue(pointedAtCerts.get(30, TimeUnit.SECONDS).success());
        assertEquals(200, status(doomed, "/api/x"));

        Path fresh = Files.createDirectories(dir.resolve("certs.new"));
        writeCrl(fresh.resolve("clients.crl"), List.of(doomed.certificate().getSerialNumber()));
        CompletableFuture<ReloadOutcome> swapped = nextReload();
        Files.move(certs, dir.resolve("certs.old"), StandardCopyOption.ATOMIC_MOVE);
        Files.move(fresh, certs, StandardCopyOption.ATOMIC_MOVE);

        ReloadOutcome outcome = swapped.get(30, TimeUnit.SECONDS);
        assertTrue(outcome.success(), outcome.problems().toString());
        assertRevoked(doomed);
        assertEquals(200, status(client, "/api/x"));

        // The folder now at certs is the one watched, not the old one under its new name.
        CompletableFuture<ReloadOutcome> revokedAgain = nextReload();
        writeCrl(inCerts, List.of(doomed.certificate().getSerialNumber(), client.certificate().getSerialNumber()));
        assertTrue(revokedAgain.get(30, TimeUnit.SECONDS).success());
        assertRevoked(client);
    }

    private static void moveQuietly(Path from, Path to, AtomicReference<Throwable> failure) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            failure.set(e);
        }
    }
}
