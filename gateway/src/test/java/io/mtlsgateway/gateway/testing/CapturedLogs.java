package io.mtlsgateway.gateway.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The lines one logger writes while this is open, for tests that assert what an operator reads
 * (its warnings) or wait for a step the code logs. Records from any thread (an event loop's
 * included) are kept; a test waits for a line instead of sleeping.
 */
public final class CapturedLogs implements AutoCloseable {
    private final Logger logger;
    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final CountDownLatch first = new CountDownLatch(1);
    private final List<LogRecord> all = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public synchronized void publish(LogRecord record) {
            all.add(record);
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record);
                first.countDown();
            }
            notifyAll();
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private CapturedLogs(Logger logger) {
        this.logger = logger;
        logger.addHandler(handler);
    }

    /** Captures the logger of {@code source} (the gateway names its loggers after their classes). */
    public static CapturedLogs of(Class<?> source) {
        return of(source.getName());
    }

    public static CapturedLogs of(String loggerName) {
        return new CapturedLogs(Logger.getLogger(loggerName));
    }

    /** The warnings so far, oldest first. */
    public List<LogRecord> warnings() {
        return List.copyOf(warnings);
    }

    /** Whether a warning came within {@code seconds}. */
    public boolean awaitWarning(long seconds) throws InterruptedException {
        return first.await(seconds, TimeUnit.SECONDS);
    }

    /** Whether a line (of any level) starting with {@code prefix} came within {@code seconds}. */
    public boolean awaitLine(String prefix, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        synchronized (handler) {
            while (all.stream().noneMatch(r -> r.getMessage() != null && r.getMessage().startsWith(prefix))) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(handler, left);
            }
            return true;
        }
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
