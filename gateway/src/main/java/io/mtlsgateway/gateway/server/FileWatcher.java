package io.mtlsgateway.gateway.server;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Watches the route file and every file it references, on a dedicated thread, and asks for a
 * reload when the content of any of them changed.
 *
 * <p>It watches the <em>directories</em>, not the files: editors and {@code mv} replace a file
 * (a new inode a per-file watch would miss), and Kubernetes updates a mounted Secret by
 * re-pointing the {@code ..data} symlink in the mount directory, so the configured path never
 * changes while what it resolves to does. Any event in a watched directory starts a quiet period
 * (debounce: a rotation writes several files); then the content hashes of all watched files are
 * compared with the last ones, so events that changed nothing (a touch, an unrelated file) cause
 * no reload.
 */
final class FileWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FileWatcher.class.getName());

    private final Supplier<Set<Path>> files;
    private final Supplier<CompletableFuture<?>> reload;
    private final Duration debounce;
    private final WatchService watcher;
    private final Map<Path, WatchKey> watched = new HashMap<>();
    private final Thread thread;
    private volatile boolean closed;
    /** Handed from start() to the watcher thread (Thread.start orders the writes before the reads). */
    private Set<Path> baseline;
    private Map<Path, String> baselineHashes;

    /**
     * @param files the files to watch, asked again after every reload (the config may now point elsewhere)
     * @param reload starts a reload; the watcher waits for it before reading hashes again
     */
    FileWatcher(Supplier<Set<Path>> files, Supplier<CompletableFuture<?>> reload, Duration debounce)
            throws IOException {
        this.files = files;
        this.reload = reload;
        this.debounce = debounce;
        this.watcher = java.nio.file.FileSystems.getDefault().newWatchService();
        this.thread = new Thread(this::run, "gateway-file-watch");
        thread.setDaemon(true);
    }

    /**
     * Registers the directories and takes the baseline hashes before returning, so a change made
     * right after start is seen as a change, then watches on the watcher thread.
     */
    void start() {
        Set<Path> current = files.get();
        watchDirectoriesOf(current);
        baseline = current;
        baselineHashes = hashes(current);
        thread.start();
    }

    private void run() {
        try {
            Set<Path> current = baseline;
            Map<Path, String> hashes = baselineHashes;
            while (!closed) {
                WatchKey key = watcher.take();
                drain(key);
                // Quiet period: keep absorbing events until none arrives for a whole debounce.
                while ((key = watcher.poll(debounce.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    drain(key);
                }
                Map<Path, String> now = hashes(current);
                if (now.equals(hashes)) {
                    continue;
                }
                changed(hashes, now);
                awaitReload(reload.get());
                current = files.get();
                watchDirectoriesOf(current);
                // The baseline is what was seen before the reload read the files, whether it was
                // applied or refused (a broken file is not retried until it changes again). A file
                // written while the reload ran then differs from it and triggers another reload,
                // instead of being taken as already applied. Files the new config added are new.
                Map<Path, String> next = new HashMap<>();
                for (Path path : current) {
                    next.put(path, now.containsKey(path) ? now.get(path) : hash(path));
                }
                hashes = next;
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.log(Level.SEVERE, "file watcher stopped; reload with SIGHUP from now on", e);
            }
        }
    }

    /** Waits for the reload, but not past close (a closed reloader may never complete it). */
    private void awaitReload(java.util.concurrent.Future<?> pending) throws InterruptedException {
        while (!closed) {
            try {
                pending.get(1, TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.TimeoutException e) {
                // still running: check close, wait again
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
                return; // the reloader reports its own failures
            }
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
    }

    private static void changed(Map<Path, String> before, Map<Path, String> after) {
        after.forEach((path, hash) -> {
            if (!hash.equals(before.get(path))) {
                LOG.info(() -> "changed: " + path);
            }
        });
    }

    /** Watches the folder of each file, and of what it links to when that is elsewhere. */
    private void watchDirectoriesOf(Set<Path> paths) {
        Set<Path> dirs = new LinkedHashSet<>();
        for (Path path : paths) {
            Path absolute = path.toAbsolutePath();
            dirs.add(absolute.getParent());
            try {
                dirs.add(absolute.toRealPath().getParent());
            } catch (IOException e) {
                // Missing right now (mid-swap): its configured folder is watched, which is enough.
            }
        }
        for (Path dir : dirs) {
            if (!watched.containsKey(dir)) {
                try {
                    watched.put(dir, dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE));
                } catch (IOException e) {
                    LOG.warning(() -> "cannot watch " + dir + " (" + e + "); changes there need SIGHUP");
                }
            }
        }
        watched.entrySet().removeIf(entry -> {
            if (dirs.contains(entry.getKey())) {
                return false;
            }
            entry.getValue().cancel();
            return true;
        });
    }

    private static Map<Path, String> hashes(Set<Path> paths) {
        Map<Path, String> result = new HashMap<>();
        for (Path path : paths) {
            result.put(path, hash(path));
        }
        return result;
    }

    private static String hash(Path path) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(Files.readAllBytes(path)));
        } catch (NoSuchFileException e) {
            return "missing";
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            watcher.close();
        } catch (IOException e) {
            // nothing left to do
        }
        thread.interrupt();
    }
}
