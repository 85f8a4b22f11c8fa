package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.tls.HandshakeTaskExecutor;
import io.mtlsgateway.gateway.verify.HandshakeReason;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HandshakeFailureLogTest {
    private static final Logger LOGGER = Logger.getLogger(HandshakeFailureLog.class.getName());
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40000);

    private final List<LogRecord> records = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getThrown() == null) {
                records.add(record);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final HandshakeFailureLog log = new HandshakeFailureLog(now::get);

    @BeforeEach
    void capture() {
        LOGGER.addHandler(capture);
        LOGGER.setLevel(Level.FINE);
    }

    @AfterEach
    void release() {
        LOGGER.removeHandler(capture);
        LOGGER.setLevel(null);
    }

    private List<String> warnings() {
        return records.stream().filter(r -> r.getLevel() == Level.WARNING).map(LogRecord::getMessage).toList();
    }

    @Test
    void warnsOncePerSecondPerReasonAndCountsWhatItHeldBack() {
        for (int i = 0; i < 5; i++) {
            log.record("edge", PEER, HandshakeReason.UNTRUSTED, new SSLHandshakeException("untrusted " + i));
        }
        log.record("edge", PEER, HandshakeReason.EXPIRED, new SSLHandshakeException("expired"));
        assertEquals(2, warnings().size(), warnings().toString());
        assertEquals(4, records.stream().filter(r -> r.getLevel() == Level.FINE).count(),
                "the held-back lines are still there at FINE");

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(999));
        log.record("edge", PEER, HandshakeReason.UNTRUSTED, new SSLHandshakeException("still within the second"));
        assertEquals(2, warnings().size());

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        log.record("edge", PEER, HandshakeReason.UNTRUSTED, new SSLHandshakeException("next second"));
        List<String> warnings = warnings();
        assertEquals(3, warnings.size());
        assertEquals("listener edge: TLS handshake with " + PEER + " failed: reason=untrusted: next second"
                + " (and 5 more with this reason since the last such warning, logged at FINE only)", warnings.get(2));
    }

    @Test
    void aMessageWithLineBreaksStaysOneLine() {
        log.record("edge", PEER, HandshakeReason.OTHER,
                new SSLHandshakeException("bad\r\n2026-12-01T00:00:00Z SEVERE forged record {0}"));
        String line = warnings().get(0);
        assertFalse(line.contains("\r") || line.contains("\n"), line);
        assertTrue(line.endsWith("bad\\x0d\\x0a2026-12-01T00:00:00Z SEVERE forged record {0}"), line);
    }

    @Test
    void aTimeoutSaysWhetherTheGatewaysOwnVerificationWasStillPending() {
        String queued = HandshakeFailureLog.timeoutNote(Optional.of(HandshakeTaskExecutor.Verification.QUEUED), 37);
        log.record("edge", PEER, HandshakeReason.TIMEOUT,
                new SslHandshakeTimeoutException("handshake timed out after 10000ms"), queued);

        assertEquals(List.of("listener edge: TLS handshake with " + PEER + " failed: reason=timeout: handshake timed"
                + " out after 10000ms; the gateway's own verification of the client's certificate was still waiting"
                + " for a verification thread (37 queued): the gateway is overloaded, not the client"), warnings());
        assertTrue(HandshakeFailureLog.timeoutNote(Optional.of(HandshakeTaskExecutor.Verification.RUNNING), -1)
                .contains("the gateway was still verifying the client's certificate"));
        assertTrue(HandshakeFailureLog.timeoutNote(Optional.of(HandshakeTaskExecutor.Verification.NOT_STARTED), 0)
                .contains("the gateway was waiting for the client"));
        assertTrue(HandshakeFailureLog.timeoutNote(Optional.of(HandshakeTaskExecutor.Verification.DONE), 0)
                .contains("the gateway had verified the client's certificate"));
        assertEquals("", HandshakeFailureLog.timeoutNote(Optional.empty(), 0));
    }
}
