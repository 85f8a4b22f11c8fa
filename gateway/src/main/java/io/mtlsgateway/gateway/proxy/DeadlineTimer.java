package io.mtlsgateway.gateway.proxy;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One timeout at a time, on one event loop, that can be moved and disarmed without going through
 * the scheduler each time. Arming records the deadline; a single scheduled check, never more than
 * {@code maxCheckNanos} ahead, runs the action once the deadline has passed, or schedules itself
 * again for what is left. A keep-alive connection moves its timeout several times per request
 * (idle, header read, idle again): scheduling and cancelling a task for each was measurable in
 * bench/load, and the check made instead runs at most once per {@code maxCheckNanos}.
 *
 * <p>Not thread-safe: used from the event loop only.
 */
final class DeadlineTimer {
    private final long maxCheckNanos;
    private EventExecutor executor;
    private long deadline;
    /** What runs at the deadline; null when disarmed. */
    private Runnable action;
    private ScheduledFuture<?> check;
    private long checkAt;

    /** @param maxCheckNanos the longest a check is scheduled ahead: the shortest timeout armed is a good choice */
    DeadlineTimer(long maxCheckNanos) {
        if (maxCheckNanos <= 0) {
            throw new IllegalArgumentException("maxCheckNanos: " + maxCheckNanos + " (expected: > 0)");
        }
        this.maxCheckNanos = maxCheckNanos;
    }

    /** Runs {@code action} on {@code executor} after {@code delayNanos}, unless re-armed or disarmed first. */
    void arm(EventExecutor executor, long delayNanos, Runnable action) {
        this.executor = executor;
        long now = executor.ticker().nanoTime();
        this.deadline = now + delayNanos;
        this.action = action;
        if (check != null && checkAt - deadline <= 0) {
            return; // the check already scheduled comes no later than the new deadline
        }
        cancelCheck();
        schedule(now);
    }

    /** Nothing runs; a check already scheduled finds nothing to do (cheaper than cancelling it). */
    void disarm() {
        action = null;
    }

    /**
     * Disarms only when {@code armed} is what runs at the deadline: a timer shared by the exchanges
     * of one connection, where one exchange's late cancel must leave its successor's timeout alone.
     */
    void disarm(Runnable armed) {
        if (action == armed) {
            action = null;
        }
    }

    /** Disarms and cancels the scheduled check, so nothing is left behind: for the connection's end. */
    void stop() {
        action = null;
        cancelCheck();
    }

    private void cancelCheck() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void schedule(long now) {
        long delay = Math.min(Math.max(deadline - now, 0), maxCheckNanos);
        checkAt = now + delay;
        check = executor.schedule(this::check, delay, TimeUnit.NANOSECONDS);
    }

    private void check() {
        check = null;
        if (action == null) {
            return;
        }
        long now = executor.ticker().nanoTime();
        if (now - deadline >= 0) {
            Runnable due = action;
            action = null;
            due.run();
        } else {
            schedule(now);
        }
    }
}
