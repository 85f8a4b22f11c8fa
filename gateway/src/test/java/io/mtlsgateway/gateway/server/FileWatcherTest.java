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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
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

    /** The files a route file of this content names; none when one of them does not exist (it "does not load"). */
    private Set<Path> namedBy(byte[] content) {
        Set<Path> files = new LinkedHashSet<>();
        files.add(routeFile());
        for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                Path file = dir.resolve(line.strip());
                if (!Files.exists(file)) {
                    return Set.of();
                }
                files.add(file);
            }
        }
        return files;
    }

    private CompletableFuture<?> reload() {
        try {
            beforeRead.getAndSet(() -> {}).run();
            Set<Path> files = namedBy(Files.readAllBytes(routeFile()));
            if (!files.isEmpty()) {
                running.set(files);
            }
            List<String> read = files.stream().filter(f -> !f.equals(routeFile())).map(FileWatcherTest::read).toList();
            afterRead.getAndSet(() -> {}).run();
            reloads.add(read);
            return CompletableFuture.completedFuture(null);
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
        watcher = new FileWatcher(files, this::reload, Duration.ofMillis(50), Duration.ofMillis(500), metrics.watch());
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
        // The route change names c.crl before it exists, so the watcher cannot tell which files it
        // adds; the file appears just before the reload reads the route file, and is rewritten just
        // after. The reload read a file the watcher never hashed: it must not be taken as applied.
        Files.writeString(dir.resolve("a.crl"), "a1");
        start("a.crl\n");
        Files.writeString(dir.resolve("c.crl.later"), "c1");
        beforeRead.set(() -> Files.move(dir.resolve("c.crl.later"), dir.resolve("c.crl")));
        afterRead.set(() -> RouteFile.replace(dir.resolve("c.crl"), "c2"));

        RouteFile.replace(routeFile(), "a.crl\nc.crl\n");

        assertEquals(List.of("a1", "c1"), nextReload());
        assertEquals(List.of("a1", "c2"), nextReload());
    }
}
