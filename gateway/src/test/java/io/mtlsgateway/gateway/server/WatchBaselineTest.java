package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the watcher compares with after each kind of outcome, and when it tries again. */
class WatchBaselineTest {
    static final Path CRL = Path.of("/etc/gw/clients.crl");
    static final Map<Path, String> OLD = Map.of(CRL, "old");
    static final Map<Path, String> NEW = Map.of(CRL, "new");
    static final KeptHostEntry KEPT = new KeptHostEntry("edge", "api.example", List.of("api.crl: not a CRL"));

    final WatchBaseline seen = new WatchBaseline(OLD, Duration.ofSeconds(1), Duration.ofSeconds(4));

    @Test
    void aRefusalForTheContentIsNotAskedForAgainUntilTheFilesChange() {
        assertTrue(seen.due(NEW, false));
        assertEquals("file change", seen.trigger(false));
        assertEquals(Optional.empty(), seen.reloaded(ReloadOutcome.refusedForContent("file change", List.of("x")), NEW,
                false));
        assertFalse(seen.due(NEW, false), "the same broken state: no reload");
        assertFalse(seen.retryPending());
        assertTrue(seen.due(Map.of(CRL, "fixed"), false), "the next write is a reload");
    }

    @Test
    void aRefusalForAnotherReasonIsTriedAgainOnABackoffThatDoublesUpToItsCap() {
        List<Long> delays = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String trigger = seen.trigger(i > 0);
            assertEquals(i == 0 ? "file change" : "file change, retry " + i, trigger);
            delays.add(seen.reloaded(ReloadOutcome.refusedForNow(trigger, List.of("stuck")), NEW, false)
                    .orElseThrow().toSeconds());
            assertTrue(seen.retryPending());
            assertFalse(seen.due(NEW, false), "an event alone does not ask again for the same state");
            assertTrue(seen.due(NEW, true), "the retry does");
        }
        assertEquals(List.of(1L, 2L, 4L, 4L, 4L), delays);
        assertFalse(seen.due(OLD, true), "files back as applied: nothing to retry");
        assertFalse(seen.retryPending());
    }

    @Test
    void aReloadThatKeptAHostEntryWhileAFileMovedIsTriedAgainAndOneThatKeptItQuietlyIsApplied() {
        seen.trigger(false);
        assertTrue(seen.reloaded(ReloadOutcome.applied("file change", List.of(KEPT)), NEW, true).isPresent());
        assertTrue(seen.due(NEW, true), "not taken as applied: the entry may have read a file mid-write");

        seen.trigger(true);
        assertEquals(Optional.empty(), seen.reloaded(ReloadOutcome.applied("file change, retry 1", List.of(KEPT)), NEW,
                false));
        assertFalse(seen.due(NEW, true), "applied; the kept entry's files wait for a change");
    }

    @Test
    void aFileTheReloadReadUnhashedIsNotTakenAsRead() {
        Path added = Path.of("/etc/gw/added.crl");
        Map<Path, String> read = WatchBaseline.asRead(NEW, java.util.Set.of(CRL, added));
        assertEquals(Map.of(CRL, "new", added, WatchBaseline.NOT_SEEN), read);
    }
}
