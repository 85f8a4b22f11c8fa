package io.mtlsgateway.gateway.server;

import io.mtlsgateway.gateway.metrics.WatchMetrics;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Watches the route file and every file it references, on a dedicated thread, and asks for a
 * reload when the content of any of them changed.
 *
 * <p>It watches the <em>folders</em>, not the files: editors and {@code mv} replace a file (a new
 * inode a per-file watch would miss), and Kubernetes updates a mounted Secret by re-pointing the
 * {@code ..data} symlink in the mount folder; the folder above each too, where a folder replaced
 * as a whole shows ({@link WatchedFolders}). Only events about a watched file, a link on its way
 * ({@link LinkChain}) or its folder count: an access log or anything else written next to the
 * route file is ignored. A counted event starts a quiet period (a rotation writes several files), which
 * each further counted event extends, but never past a cap after the first one: a file rewritten
 * without pause (a config tool re-rendering it) cannot hold back a CRL change. Then the content
 * hashes are compared with the last ones, so a touch or a same-content rewrite reloads nothing.
 *
 * <p>No change is lost: every file a reload reads has been hashed, and its folder watched, before
 * the reload starts. A write the reload may have missed is then a difference, and its event (queued
 * while the reload ran) leads to another reload. That includes the files a changed route file adds:
 * the watcher reads them from the route file's new content first, and watches them even when the
 * reload refuses it (a CA or CRL it names that does not exist yet: creating it applies the change).
 * A file the reload read that was not hashed before it (the new route file changed again in
 * between) is compared at once, without waiting for an event, so it takes another reload.
 *
 * <p>No refusal is taken as applied ({@link WatchBaseline}): the files are compared with what the
 * last applied reload read and what the last refused one did. A refusal for the files' content
 * waits for them to change; one for another reason (the time limit, stuck reloads), or one during
 * which a watched file moved, is tried again on a backoff until it applies or the files change.
 */
final class FileWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FileWatcher.class.getName());

    /** The files to watch. */
    interface Watched {
        /** The route file, which names all the others. */
        Path routeFile();

        /** The files the running config was read from (asked again after every reload). */
        Set<Path> running();

        /**
         * The files a route file with this content names, the route file included, as far as it can
         * be read: also when it does not load (a reload refuses it), so a file it names that does not
         * exist yet is watched.
         */
        Set<Path> namedBy(byte[] routeFileContent);
    }

    /**
     * How long the watcher waits: {@code quietPeriod} without a counted event before the files are
     * compared, never longer than {@code quietPeriodCap} after the first; a refused reload that may
     * pass is tried again after {@code retryFirst}, then twice as long each time up to {@code retryLongest}.
     */
    record Timing(Duration quietPeriod, Duration quietPeriodCap, Duration retryFirst, Duration retryLongest) {}

    private final Watched files;
    private final Function<String, CompletableFuture<ReloadOutcome>> reload;
    private final Timing timing;
    private final WatchMetrics metrics;
    private final WatchService watcher;
    private final WatchedFolders folders;
    private final Thread thread;
    private volatile boolean closed;
    /** The paths whose events count; only the watcher thread touches it after start. */
    private Set<Path> chains = Set.of();
    /** Handed from start() to the watcher thread (Thread.start orders the writes before the reads). */
    private Set<Path> baseline;
    private Map<Path, String> baselineHashes;

    /**
     * @param files the files to watch, asked again after every reload (the config may now point elsewhere)
     * @param reload starts a reload with this trigger; the watcher waits for its outcome before reading hashes again
     */
    FileWatcher(Watched files, Function<String, CompletableFuture<ReloadOutcome>> reload, Timing timing,
            WatchMetrics metrics) throws IOException {
        this.files = files;
        this.reload = reload;
        this.timing = timing;
        this.metrics = metrics;
        this.watcher = FileSystems.getDefault().newWatchService();
        this.folders = new WatchedFolders(watcher);
        this.thread = new Thread(this::run, "gateway-file-watch");
        thread.setDaemon(true);
    }

    /**
     * Registers the folders and takes the baseline hashes before returning, so a change made
     * right after start is seen as a change, then watches on the watcher thread.
     */
    void start() {
        Set<Path> current = files.running();
        watch(current);
        baseline = current;
        baselineHashes = ContentHashes.of(current);
        metrics.running(true);
        thread.start();
    }

    private void run() {
        try {
            Set<Path> current = baseline;
            WatchBaseline seen = new WatchBaseline(baselineHashes, timing.retryFirst(), timing.retryLongest());
            boolean compareAtOnce = false;
            boolean eventsTaken = false;
            while (!closed) {
                boolean retryDue = false;
                if (eventsTaken) {
                    settle(); // events that came during the reload were taken to judge it
                } else if (!compareAtOnce) {
                    retryDue = !awaitCountedEvent(seen);
                    if (!retryDue) {
                        settle();
                    }
                }
                compareAtOnce = false;
                eventsTaken = false;
                watch(current); // a replaced folder is watched again before its files are hashed
                Map<Path, String> now = ContentHashes.of(current);
                Set<Path> upcoming = hashUpcoming(now);
                boolean due = seen.due(now, retryDue);
                metrics.checked(due);
                if (due) {
                    if (!retryDue) {
                        logChanges(seen.last(), now);
                    }
                    Map<Path, String> stamps = FileStamps.of(now.keySet());
                    ReloadOutcome outcome = awaitReload(reload.apply(seen.trigger(retryDue)));
                    // Whether a watched file moved while the reload read them: what it read may then be
                    // neither what was hashed before nor what is there now (a file missing for a moment).
                    // The stamps say so even before the event about it has arrived.
                    eventsTaken = takeEvents();
                    boolean touched = eventsTaken || !FileStamps.of(now.keySet()).equals(stamps);
                    Set<Path> next = new LinkedHashSet<>(files.running());
                    // And the files the newest route file names even when it was refused: a CA or CRL
                    // it names that does not exist yet is watched, so creating it applies the change.
                    next.addAll(upcoming);
                    Map<Path, String> read = WatchBaseline.asRead(now, next);
                    // A file read unhashed is compared at once, so it takes another reload.
                    compareAtOnce = read.containsValue(WatchBaseline.NOT_SEEN);
                    seen.reloaded(outcome, read, touched).ifPresent(delay -> LOG.info(() -> "reload refused, but "
                            + (touched ? "a watched file changed while it read them" : "not for the files' content")
                            + ": trying again in " + delay.toMillis() + " ms unless a watched file changes first"));
                    current = next;
                }
                // Links may point elsewhere now (a swapped ..data), even when no content changed.
                watch(current);
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.log(Level.SEVERE, "file watcher stopped; reload with SIGHUP from now on", e);
            }
        } finally {
            metrics.running(false);
        }
    }

    /**
     * Adds to {@code now} the files the route file names from now on (a route change may add a CRL,
     * a host entry, an upstream), read from the very content whose hash {@code now} keeps, each
     * watched before it is hashed: the reload about to start reads them, and a write to one after
     * this is an event and a difference. Returns them, the route file included; none when the
     * route file cannot be read.
     */
    private Set<Path> hashUpcoming(Map<Path, String> now) {
        Path routeFile = files.routeFile();
        byte[] content;
        try {
            content = ContentHashes.read(routeFile);
        } catch (IOException e) {
            return Set.of(); // the reload refuses it; the route file's own hash says it is missing or unreadable
        }
        now.put(routeFile, ContentHashes.digest(content));
        Set<Path> upcoming = new LinkedHashSet<>();
        upcoming.add(routeFile);
        upcoming.addAll(files.namedBy(content));
        Set<Path> all = new LinkedHashSet<>(now.keySet());
        all.addAll(upcoming);
        watch(all);
        for (Path path : upcoming) {
            now.computeIfAbsent(path, ContentHashes::of);
        }
        return upcoming;
    }

    /**
     * Waits for a counted event; false when the pending retry comes due first.
     */
    private boolean awaitCountedEvent(WatchBaseline seen) throws InterruptedException {
        while (true) {
            WatchKey key;
            if (seen.retryPending()) {
                long left = seen.retryNanosLeft();
                key = left <= 0 ? null : watcher.poll(left, TimeUnit.NANOSECONDS);
                if (key == null) {
                    return false;
                }
            } else {
                key = watcher.take();
            }
            if (counted(key)) {
                return true;
            }
        }
    }

    /** Takes the events queued now without waiting; whether one of them is about a watched path. */
    private boolean takeEvents() {
        boolean counted = false;
        for (WatchKey key = watcher.poll(); key != null; key = watcher.poll()) {
            counted |= counted(key);
        }
        return counted;
    }

    /**
     * The quiet period: absorbs events until no counted one arrived for {@code quietPeriod}, or
     * {@code quietPeriodCap} has passed since the first, whichever comes first.
     */
    private void settle() throws InterruptedException {
        long first = System.nanoTime();
        long capEnd = first + timing.quietPeriodCap().toNanos();
        long quietEnd = first + timing.quietPeriod().toNanos();
        while (true) {
            long wait = Math.min(quietEnd, capEnd) - System.nanoTime();
            if (wait <= 0) {
                return;
            }
            WatchKey key = watcher.poll(wait, TimeUnit.NANOSECONDS);
            if (key == null) {
                return;
            }
            if (counted(key)) {
                quietEnd = System.nanoTime() + timing.quietPeriod().toNanos();
            }
        }
    }

    /** Takes the key's events, counts each, and says whether one of them is about a watched path. */
    private boolean counted(WatchKey key) {
        Path folder = (Path) key.watchable();
        boolean counted = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                // The OS dropped events: anything may have changed.
                metrics.overflowEvent();
                counted = true;
            } else if (chains.contains(folder.resolve((Path) event.context()))) {
                metrics.watchedEvent();
                counted = true;
            } else {
                metrics.ignoredEvent();
            }
        }
        key.reset();
        return counted;
    }

    /** Waits for the reload's outcome, but not past close (a closed reloader may never complete it); null then. */
    private ReloadOutcome awaitReload(Future<ReloadOutcome> pending) throws InterruptedException {
        while (!closed) {
            try {
                return pending.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                // still running: check close, wait again
            } catch (ExecutionException | CancellationException e) {
                return null; // the reloader reports its own failures
            }
        }
        return null;
    }

    private static void logChanges(Map<Path, String> before, Map<Path, String> after) {
        after.forEach((path, hash) -> {
            if (!hash.equals(before.get(path))) {
                LOG.info(() -> "changed: " + path);
            }
        });
    }

    /** Watches the folders of {@code paths} and their links; from now on, only events about those count. */
    private void watch(Set<Path> paths) {
        chains = folders.watch(paths);
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
