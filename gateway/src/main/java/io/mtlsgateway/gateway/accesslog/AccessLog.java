package io.mtlsgateway.gateway.accesslog;

import io.mtlsgateway.config.AccessLogConfig;
import io.mtlsgateway.gateway.proxy.RequestRecord;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Hands finished requests from the event loops to one writer thread through a bounded queue.
 * When the queue is full (the disk or the log collector is slower than the traffic) a line is
 * dropped and counted rather than ever blocking an event loop.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AccessLog.class.getName());
    static final int CAPACITY = 16_384;

    /**
     * Lock-free, so an event loop never parks on it: a locking queue made the loop wait whenever
     * the writer held the lock (BlockHound caught it). Bounded by {@link #queued}.
     */
    private final ConcurrentLinkedQueue<RequestRecord> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Writer out;
    private final boolean ownsOut;
    private final Runnable onDrop;
    private static final long IDLE_NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Thread writer;
    private volatile boolean closed;

    private AccessLog(Writer out, boolean ownsOut, Runnable onDrop) {
        this.out = out;
        this.ownsOut = ownsOut;
        this.onDrop = onDrop;
        this.writer = new Thread(this::run, "gateway-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Opens the log the config asks for; empty when it is switched off.
     *
     * @param onDrop counts a dropped line
     */
    public static java.util.Optional<AccessLog> open(AccessLogConfig config, Runnable onDrop) throws IOException {
        if (!config.enabled()) {
            return java.util.Optional.empty();
        }
        if (config.file().isEmpty()) {
            return java.util.Optional.of(to(System.out, false, onDrop));
        }
        var file = config.file().get();
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        OutputStream stream = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return java.util.Optional.of(to(stream, true, onDrop));
    }

    /** A log writing to {@code stream}; closes it on {@link #close()} only when {@code owns}. */
    public static AccessLog to(OutputStream stream, boolean owns, Runnable onDrop) {
        return new AccessLog(new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 64 * 1024),
                owns, onDrop);
    }

    /** Queues a finished request; never blocks. */
    public void log(RequestRecord record) {
        if (closed) {
            onDrop.run();
        } else if (queued.incrementAndGet() > CAPACITY) {
            queued.decrementAndGet();
            onDrop.run();
        } else {
            queue.offer(record);
        }
    }

    private void run() {
        List<RequestRecord> batch = new ArrayList<>(256);
        try {
            while (true) {
                RequestRecord first = take();
                if (first == null) {
                    if (closed || Thread.currentThread().isInterrupted()) {
                        break;
                    }
                    // Napping instead of blocking on the queue: a blocked reader makes every
                    // offer from an event loop wake this thread (a syscall per request); a nap
                    // lets lines gather and costs the event loops nothing.
                    LockSupport.parkNanos(IDLE_NAP_NANOS);
                    continue;
                }
                batch.add(first);
                RequestRecord next;
                while (batch.size() < 256 && (next = take()) != null) {
                    batch.add(next);
                }
                for (RequestRecord record : batch) {
                    out.write(AccessLogLine.format(record));
                    out.write('\n');
                }
                batch.clear();
                // Flushed per batch: a line reaches the file while it still matters, and a busy
                // gateway still writes in large chunks.
                out.flush();
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "access log: cannot write, no more lines will be written: {0}", e.toString());
            closed = true;
        }
    }

    private RequestRecord take() {
        RequestRecord record = queue.poll();
        if (record != null) {
            queued.decrementAndGet();
        }
        return record;
    }

    /** Writes what is queued, stops the writer, and closes the file. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
            out.flush();
            if (ownsOut) {
                out.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "access log: cannot close: {0}", e.toString());
        }
    }
}
