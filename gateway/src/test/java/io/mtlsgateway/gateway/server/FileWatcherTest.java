package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import io.mtlsgateway.gateway.proxy.ProxyError;
import io.mtlsgateway.gateway.testing.RouteFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file watcher alone, on real files, with a stand-in for the reload that says what it read:
 * the route file here is a list of file names, one a line, and a "reload" reads the files it names.
 * What it checks is that no write is ever taken as applied when the reload may have missed it.
 */
class FileWatcherTest {
    @TempDir
    Path dir;

    final GatewayMetrics metrics = new GatewayMetrics(ProxyError.upstreamKinds());
    /** The files the running "config" was read from, as the last reload left them. */
    final AtomicReference<Set<Path>> running = new AtomicReference<>();
    /** What each reload read: the content of every file it names, in order. */
    final BlockingQueue<List<String>> reloads = new LinkedBlockingQueue<>();
    /** The trigger of each reload, in order. */
    final BlockingQueue<String> triggers = new LinkedBlockingQueue<>();
    /** Outcomes the next reloads end with, without reading anything (a time limit, a stuck build). */
    final Queue<ReloadOutcome> refusals = new ConcurrentLinkedQueue<>();
    /** Runs once at the start of the next reload, before it reads anything. */
    final AtomicReference<IoAction> beforeRead = new AtomicReference<>(() -> {});
    /** Runs once in the next reload, after it has read the files (a write that comes just too late). */
    final AtomicReference<IoAction> afterRead = new AtomicReference<>(() -> {});
    FileWatcher watcher;

    interface IoAction {
        void run() throws IOException;
    }

    @AfterEach
    void stop() {
        if (watcher != null) {
            watcher.close();
        }
        metrics.close();
    }

    private Path routeFile() {
        return dir.resolve("routes.txt");
    }

    /** The files a route file of this content names, existing or not (a reload refuses one naming a missing file). */
    private Set<Path> namedBy(byte[] content) {
        Set<Path> files = new LinkedHashSet<>();
        files.add(routeFile());
        for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                files.add(dir.resolve(line.strip()));
            }
        }
        return files;
    }

    private CompletableFuture<ReloadOutcome> reload(String trigger) {
        try {
            triggers.add(trigger);
            beforeRead.getAndSet(() -> {}).run();
            ReloadOutcome forced = refusals.poll();
            if (forced != null) {
                reloads.add(List.of("refused: " + forced.problems()));
                return CompletableFuture.completedFuture(forced);
            }
            Set<Path> files = namedBy(Files.readAllBytes(routeFile()));
            List<String> read = new ArrayList<>();
            for (Path file : files) {
                if (!file.equals(routeFile())) {
                    read.add(Files.exists(file) ? read(file) : "missing");
                }
            }
            afterRead.getAndSet(() -> {}).run();
            reloads.add(read);
            // As the real loader: a route file naming a file that is not there is refused for its content.
            if (read.contains("missing")) {
                return CompletableFuture.completedFuture(ReloadOutcome.refusedForContent(trigger, List.of("missing")));
            }
            running.set(files);
            return CompletableFuture.completedFuture(ReloadOutcome.applied(trigger, List.of()));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void start(String routes) throws IOException {
        start(routes, Duration.ofHours(1));
    }

    /** Starts the watcher; a refusal that may pass is retried after {@code retryFirst}, then up to twice that. */
    private void start(String routes, Duration retryFirst) throws IOException {
        Files.writeString(routeFile(), routes);
        running.set(namedBy(Files.readAllBytes(routeFile())));
        FileWatcher.Watched files = new FileWatcher.Watched() {
            @Override
            public Path routeFile() {
                return FileWatcherTest.this.routeFile();
            }

            @Override
            public Set<Path> running() {
                return running.get();
            }

            @Override
            public Set<Path> namedBy(byte[] routeFileContent) {
                return FileWatcherTest.this.namedBy(routeFileContent);
            }
        };
        watcher = new FileWatcher(files, this::reload, new FileWatcher.Timing(Duration.ofMillis(50),
                Duration.ofMillis(500), retryFirst, retryFirst.multipliedBy(2)), metrics.watch());
        watcher.start();
    }

    private List<String> nextReload() throws InterruptedException {
        List<String> read = reloads.poll(30, TimeUnit.SECONDS);
        assertTrue(read != null, "no reload");
        return read;
    }

    @Test
    void reloadsAgainWhenAWatchedFileIsWrittenAfterTheReloadReadIt() throws Exception {
        Files.writeString(dir.resolve("a.crl"), "a1");
        start("a.crl\n");
        afterRead.set(() -> RouteFile.replace(dir.resolve("a.crl"), "a3"));

        RouteFile.replace(dir.resolve("a.crl"), "a2");

        assertEquals(List.of("a2"), nextReload());
        assertEquals(List.of("a3"), nextReload());
    }

    @Test
    void reloadsAgainWhenAFileTheRouteChangeAddsIsWrittenAfterTheReloadReadIt() throws Exception {
        Files.writeString(dir.resolve("a.crl"), "a1");
        Files.writeString(dir.resolve("b.crl"), "b1");
        start("a.crl\n");
        afterRead.set(() -> RouteFile.replace(dir.resolve("b.crl"), "b2"));

        RouteFile.replace(routeFile(), "a.crl\nb.crl\n");

        assertEquals(List.of("a1", "b1"), nextReload());
        assertEquals(List.of("a1", "b2"), nextReload());
    }

    @Test
    void reloadsAgainWhenTheReloadReadAFileTheWatcherCouldNotHashFirst() throws Exception {
        // The route file changes again between the watcher's read of it and the reload's: the reload
        // reads c.crl, which the watcher never hashed, and c.crl is rewritten just after. What the
        // reload read must not be taken as applied.
        Files.writeString(dir.resolve("a.crl"), "a1");
        Files.writeString(dir.resolve("b.crl"), "b1");
        Files.writeString(dir.resolve("c.crl"), "c1");
        start("a.crl\n");
        beforeRead.set(() -> RouteFile.replace(routeFile(), "a.crl\nc.crl\n"));
        afterRead.set(() -> RouteFile.replace(dir.resolve("c.crl"), "c2"));

        RouteFile.replace(routeFile(), "a.crl\nb.crl\n");

        assertEquals(List.of("a1", "c1"), nextReload());
        assertEquals(List.of("a1", "c2"), nextReload());
    }

    @Test
    void triesAgainOnABackoffAReloadRefusedForAReasonOtherThanTheFilesContentUntilItApplies() throws Exception {
        Files.writeString(dir.resolve("a.crl"), "a1");
        start("a.crl\n", Duration.ofMillis(20));
        // As a reload over the time limit, or refused while earlier ones are stuck, is refused.
        refusals.add(ReloadOutcome.refusedForNow("file change", List.of("took longer than 30 s; abandoned")));
        refusals.add(ReloadOutcome.refusedForNow("file change", List.of("4 earlier reloads are still stuck")));

        RouteFile.replace(dir.resolve("a.crl"), "a2");

        assertEquals(List.of("refused: [took longer than 30 s; abandoned]"), nextReload());
        assertEquals(List.of("refused: [4 earlier reloads are still stuck]"), nextReload());
        assertEquals(List.of("a2"), nextReload());
        assertEquals(List.of("file change", "file change, retry 1", "file change, retry 2"), List.copyOf(triggers));
    }

    @Test
    void doesNotTryAgainAReloadRefusedForTheFilesContentButAppliesTheNextWrite() throws Exception {
        Files.writeString(dir.resolve("a.crl"), "a1");
        // A retry would be due at once: the next reload after the refusal shows whether one came.
        start("a.crl\n", Duration.ofMillis(1));
        refusals.add(ReloadOutcome.refusedForContent("file change", List.of("a.crl: not a CRL")));
        RouteFile.replace(dir.resolve("a.crl"), "broken");
        assertEquals(List.of("refused: [a.crl: not a CRL]"), nextReload());

        RouteFile.replace(dir.resolve("a.crl"), "a3");

        assertEquals(List.of("a3"), nextReload());
        assertEquals(List.of("file change", "file change"), List.copyOf(triggers));
    }

    @Test
    void triesAgainAReloadThatFoundAFileMissingForAMomentEvenWhenItIsBackAsItWasHashed() throws Exception {
        // The CRL is moved away just as the reload reads it and moved back just after: the files are
        // as the watcher hashed them before the reload, which was refused all the same.
        Files.writeString(dir.resolve("a.crl"), "a1");
        start("a.crl\n", Duration.ofMillis(20));
        beforeRead.set(() -> Files.move(dir.resolve("a.crl"), dir.resolve("a.crl.aside")));
        afterRead.set(() -> Files.move(dir.resolve("a.crl.aside"), dir.resolve("a.crl")));

        RouteFile.replace(dir.resolve("a.crl"), "a2");

        assertEquals(List.of("missing"), nextReload());
        assertEquals(List.of("a2"), nextReload());
        assertEquals(List.of("file change", "file change, retry 1"), List.copyOf(triggers));
    }

    @Test
    void appliesARefusedRouteChangeWhenTheFileItNamesIsCreated() throws Exception {
        Files.writeString(dir.resolve("a.crl"), "a1");
        start("a.crl\n");
        RouteFile.replace(routeFile(), "a.crl\nlater.crl\n");
        assertEquals(List.of("a1", "missing"), nextReload());

        RouteFile.replace(dir.resolve("later.crl"), "l1");

        assertEquals(List.of("a1", "l1"), nextReload());
    }
}
