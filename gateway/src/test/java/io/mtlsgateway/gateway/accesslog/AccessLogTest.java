package io.mtlsgateway.gateway.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import io.mtlsgateway.gateway.proxy.RequestRecord;
import io.mtlsgateway.gateway.proxy.RequestRecords;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The access log's promise to the event loops: a line that does not fit in the queue (the writer
 * is behind) is dropped and counted, never waited for; and what was queued is still written.
 */
class AccessLogTest {
    private final GatewayMetrics metrics = new GatewayMetrics(List.of());
    private final StalledStream stream = new StalledStream();

    @AfterEach
    void close() {
        stream.released.countDown();
        metrics.close();
    }

    private double dropped() {
        return metrics.registry().get("mtls.gateway.access.log.dropped").counter().count();
    }

    private static RequestRecord request(int n) {
        return RequestRecords.finished("edge", "GET", "/r" + n);
    }

    @Test
    void dropsAndCountsALineTheFullQueueCannotTakeAndStillWritesWhatItQueued() throws Exception {
        AccessLog log = AccessLog.to(stream, true, metrics::accessLogDropped);
        log.log(request(0));
        // The writer took the first line and is stuck writing it: from here the queue only fills.
        assertTrue(stream.entered.await(10, TimeUnit.SECONDS), "the writer started writing");
        for (int i = 1; i <= AccessLog.CAPACITY; i++) {
            log.log(request(i));
        }
        assertEquals(0.0, dropped(), "a full queue, nothing dropped yet");
        log.log(request(AccessLog.CAPACITY + 1));
        assertEquals(1.0, dropped(), "the line over capacity is dropped and counted");

        stream.released.countDown();
        log.close();
        String[] lines = stream.written().split("\n");
        assertEquals(AccessLog.CAPACITY + 1, lines.length, "the first line and every queued one");
        assertTrue(lines[0].contains("\"path\":\"/r0\""), lines[0]);
        assertTrue(lines[AccessLog.CAPACITY].contains("\"path\":\"/r" + AccessLog.CAPACITY + "\""),
                lines[AccessLog.CAPACITY]);
        assertTrue(stream.closed, "the log owned the stream and closed it");
    }

    @Test
    void countsALineLoggedAfterCloseAsDropped() {
        stream.released.countDown();
        AccessLog log = AccessLog.to(stream, false, metrics::accessLogDropped);
        log.close();
        log.log(request(1));
        assertEquals(1.0, dropped());
        assertEquals("", stream.written());
    }

    /** A stream whose writes wait until released: a disk or collector that has fallen behind. */
    private static final class StalledStream extends OutputStream {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        volatile boolean closed;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            entered.countDown();
            try {
                if (!released.await(30, TimeUnit.SECONDS)) {
                    throw new IOException("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
            synchronized (bytes) {
                bytes.write(b, off, len);
            }
        }

        @Override
        public void close() {
            closed = true;
        }

        String written() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
