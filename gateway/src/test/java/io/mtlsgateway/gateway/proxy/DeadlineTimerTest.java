package io.mtlsgateway.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The movable timeout: runs once at its latest deadline, never early, and leaves nothing behind when stopped. */
class DeadlineTimerTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final AtomicInteger runs = new AtomicInteger();
    private final DeadlineTimer timer = new DeadlineTimer(TimeUnit.MILLISECONDS.toNanos(100));

    DeadlineTimerTest() {
        channel.freezeTime();
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void arm(long millis) {
        timer.arm(channel.eventLoop(), TimeUnit.MILLISECONDS.toNanos(millis), runs::incrementAndGet);
    }

    private void advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void runsOnceAtTheDeadline() {
        arm(100);
        advance(99);
        assertEquals(0, runs.get());
        advance(1);
        assertEquals(1, runs.get());
        advance(1_000);
        assertEquals(1, runs.get());
    }

    @Test
    void reArmedLaterRunsAtTheNewDeadlineOnly() {
        arm(100);
        advance(60);
        arm(100);
        advance(60); // past the first deadline
        assertEquals(0, runs.get());
        advance(40);
        assertEquals(1, runs.get());
    }

    @Test
    void aDeadlineBeyondTheLongestCheckIsStillKept() {
        arm(350);
        advance(349);
        assertEquals(0, runs.get());
        advance(1);
        assertEquals(1, runs.get());
    }

    @Test
    void reArmedEarlierRunsAtTheEarlierDeadline() {
        DeadlineTimer longChecks = new DeadlineTimer(TimeUnit.SECONDS.toNanos(10));
        longChecks.arm(channel.eventLoop(), TimeUnit.SECONDS.toNanos(10), runs::incrementAndGet);
        longChecks.arm(channel.eventLoop(), TimeUnit.MILLISECONDS.toNanos(100), runs::incrementAndGet);
        advance(100);
        assertEquals(1, runs.get());
    }

    @Test
    void disarmedRunsNothing() {
        arm(100);
        timer.disarm();
        advance(1_000);
        assertEquals(0, runs.get());
    }

    @Test
    void stoppedLeavesNoTaskScheduled() {
        arm(100);
        timer.stop();
        assertEquals(-1, channel.runScheduledPendingTasks());
        assertEquals(0, runs.get());
    }
}
