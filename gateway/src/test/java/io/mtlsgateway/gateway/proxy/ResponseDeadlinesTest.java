package io.mtlsgateway.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The route's response timeout on the connection's shared clock: each exchange's runs out on time,
 * counted from its own request, and one exchange's cancel never touches the next one's.
 */
class ResponseDeadlinesTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final DeadlineTimer clock = new DeadlineTimer(TimeUnit.HOURS.toNanos(1));
    private final List<String> expired = new ArrayList<>();

    ResponseDeadlinesTest() {
        channel.freezeTime();
    }

    @AfterEach
    void close() {
        clock.stop();
        channel.finishAndReleaseAll();
    }

    private ResponseDeadlines exchange(String name, long timeoutMillis) {
        return new ResponseDeadlines(channel.eventLoop(), clock, Duration.ofMillis(timeoutMillis),
                error -> expired.add(name + " " + error));
    }

    private void advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void runsOutAtTheTimeoutAfterTheRequestWasSent() {
        ResponseDeadlines first = exchange("first", 100);
        first.requestSent();
        advance(99);
        assertEquals(List.of(), expired);
        advance(1);
        assertEquals(List.of("first UPSTREAM_TIMEOUT"), expired);
        advance(1_000);
        assertEquals(1, expired.size());
    }

    @Test
    void theNextExchangeCountsFromItsOwnRequest() {
        ResponseDeadlines first = exchange("first", 100);
        first.requestSent();
        advance(30);
        first.cancel(); // its response started
        ResponseDeadlines second = exchange("second", 100);
        advance(10);
        second.requestSent(); // at 40: due at 140, after the check scheduled for 100
        advance(60);
        assertEquals(List.of(), expired);
        advance(39);
        assertEquals(List.of(), expired);
        advance(1);
        assertEquals(List.of("second UPSTREAM_TIMEOUT"), expired);
    }

    @Test
    void aShorterTimeoutAfterALongerOneRunsOutOnTime() {
        ResponseDeadlines first = exchange("first", 1_000);
        first.requestSent();
        first.cancel();
        ResponseDeadlines second = exchange("second", 50);
        advance(10);
        second.requestSent();
        advance(49);
        assertEquals(List.of(), expired);
        advance(1);
        assertEquals(List.of("second UPSTREAM_TIMEOUT"), expired);
    }

    @Test
    void aFinishedExchangesLateCancelLeavesTheNextOneArmed() {
        ResponseDeadlines first = exchange("first", 100);
        first.requestSent();
        ResponseDeadlines second = exchange("second", 100);
        second.requestSent();
        first.cancel();
        advance(100);
        assertEquals(List.of("second UPSTREAM_TIMEOUT"), expired);
    }

    @Test
    void aRetryStartsTheCountAgainButASecondSendDoesNot() {
        ResponseDeadlines deadlines = exchange("retried", 100);
        deadlines.requestSent();
        advance(60);
        deadlines.requestSent(); // already counting: no restart
        advance(39);
        assertEquals(List.of(), expired);
        deadlines.retrying();
        deadlines.requestSent(); // at 99, to another endpoint: due at 199
        advance(99);
        assertEquals(List.of(), expired);
        advance(1);
        assertEquals(List.of("retried UPSTREAM_TIMEOUT"), expired);
    }

    @Test
    void cancelledNothingRuns() {
        ResponseDeadlines deadlines = exchange("cancelled", 100);
        deadlines.requestSent();
        deadlines.callDeadline(Duration.ofMillis(50));
        deadlines.cancel();
        advance(1_000);
        assertEquals(List.of(), expired);
    }

    @Test
    void theCallDeadlineRunsOnItsOwnClock() {
        ResponseDeadlines deadlines = exchange("call", 100);
        deadlines.callDeadline(Duration.ofMillis(50));
        deadlines.requestSent();
        advance(50);
        assertEquals(List.of("call DEADLINE_EXCEEDED"), expired);
    }

    @Test
    void theCallDeadlineHasPassedBeforeItsTimerRuns() {
        ResponseDeadlines deadlines = exchange("call", 100);
        deadlines.callDeadline(Duration.ofMillis(50));
        channel.advanceTimeBy(49, TimeUnit.MILLISECONDS);
        assertFalse(deadlines.callDeadlinePassed());
        // The loop's turn in which the timer falls due, before it runs: an upstream reset read in
        // this turn is answered as the deadline.
        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        assertTrue(deadlines.callDeadlinePassed());
        assertEquals(List.of(), expired);
        channel.runScheduledPendingTasks();
        assertEquals(List.of("call DEADLINE_EXCEEDED"), expired);
    }

    @Test
    void withoutACallDeadlineNothingHasPassed() {
        ResponseDeadlines deadlines = exchange("route only", 100);
        deadlines.requestSent();
        channel.advanceTimeBy(1_000, TimeUnit.MILLISECONDS);
        assertFalse(deadlines.callDeadlinePassed(), "the route's timeout is not the call's deadline");
    }
}
