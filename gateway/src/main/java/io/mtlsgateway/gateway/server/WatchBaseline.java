package io.mtlsgateway.gateway.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the file watcher compares the files with, and when it tries a refused reload again. Two
 * states of the files, each a map of content hashes: as the last <em>applied</em> reload was asked
 * to read them (what serves), and as the last <em>refused</em> one was. A check is due when the
 * files differ from both: a refused state is not asked for again until it changes, so a broken
 * file written by the operator is refused once, and the next good write applies.
 *
 * <p>A refusal that may pass is tried again on a backoff while the files still differ from what is
 * applied: one whose reason is not the files' content (the time limit, stuck reloads, an unexpected
 * error), and one during which a watched file moved (a file read mid-write or while missing for a
 * moment is refused like a broken one, and may be back as it was hashed by the time the reload
 * ends). Only the watcher thread uses it.
 */
final class WatchBaseline {
    /** The hash of a file a reload read without the watcher having hashed it first. */
    static final String NOT_SEEN = "not hashed before the reload read it";

    private final long retryFirstNanos;
    private final long retryLongestNanos;
    private Map<Path, String> applied;
    private Map<Path, String> refused;
    private boolean retryPending;
    private long retryDueNanos;
    private long retryDelayNanos;
    private int retries;

    /** @param started the files as the running config was read from them */
    WatchBaseline(Map<Path, String> started, Duration retryFirst, Duration retryLongest) {
        this.applied = Map.copyOf(started);
        this.retryFirstNanos = retryFirst.toNanos();
        this.retryLongestNanos = Math.max(retryLongest.toNanos(), retryFirstNanos);
        this.retryDelayNanos = retryFirstNanos;
    }

    /**
     * What a reload is asked to read, per file the gateway depends on after it: the hash taken
     * before it, or {@link #NOT_SEEN}.
     */
    static Map<Path, String> asRead(Map<Path, String> hashedBefore, Set<Path> files) {
        Map<Path, String> read = new HashMap<>();
        for (Path path : files) {
            read.put(path, hashedBefore.getOrDefault(path, NOT_SEEN));
        }
        return read;
    }

    /** Whether the files, hashed {@code now}, call for a reload; {@code retryDue} when the retry's time has come. */
    boolean due(Map<Path, String> now, boolean retryDue) {
        if (now.equals(applied)) {
            resetRetry(); // back to what serves: nothing left to retry
            return false;
        }
        return retryDue || !now.equals(refused);
    }

    /** The state the files were last compared with: the refused one if any, else the applied one. */
    Map<Path, String> last() {
        return refused != null ? refused : applied;
    }

    /** The trigger of the reload about to start: a retry, or a new state of the files (its own first try). */
    String trigger(boolean retryDue) {
        if (retryDue) {
            retryPending = false;
            return "file change, retry " + ++retries;
        }
        resetRetry();
        return "file change";
    }

    /**
     * Takes in how the reload ended.
     *
     * @param outcome null when the reload ended without one (the gateway stopping, a failure of its own)
     * @param read what it was asked to read ({@link #asRead})
     * @param touched whether a watched file moved while it read them
     * @return the delay of the retry now scheduled, if any
     */
    Optional<Duration> reloaded(ReloadOutcome outcome, Map<Path, String> read, boolean touched) {
        // A host entry that kept its previous files may have read one mid-write: as good as refused.
        if (outcome != null && outcome.success() && (outcome.kept().isEmpty() || !touched)) {
            applied = Map.copyOf(read);
            refused = null;
            resetRetry();
            return Optional.empty();
        }
        refused = Map.copyOf(read);
        if (outcome != null && !outcome.retryable() && !touched) {
            resetRetry(); // the content's fault: tried again when a file changes
            return Optional.empty();
        }
        long delay = retryDelayNanos;
        retryDelayNanos = Math.min(retryLongestNanos, delay * 2);
        retryDueNanos = System.nanoTime() + delay;
        retryPending = true;
        return Optional.of(Duration.ofNanos(delay));
    }

    boolean retryPending() {
        return retryPending;
    }

    /** How long until the pending retry is due (zero or less: due now). */
    long retryNanosLeft() {
        return retryDueNanos - System.nanoTime();
    }

    private void resetRetry() {
        retryPending = false;
        retries = 0;
        retryDelayNanos = retryFirstNanos;
    }
}
