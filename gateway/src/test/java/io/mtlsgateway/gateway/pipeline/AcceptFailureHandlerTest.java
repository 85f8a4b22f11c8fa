package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AcceptFailureHandlerTest {
    private static final Logger LOGGER = Logger.getLogger(AcceptFailureHandler.class.getName());
    private final List<LogRecord> warnings = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel() == Level.WARNING) {
                warnings.add(record);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void capture() {
        LOGGER.addHandler(capture);
    }

    @AfterEach
    void release() {
        LOGGER.removeHandler(capture);
    }

    @Test
    void aFailedAcceptIsOneLineWithoutStackTraceAndAcceptingPausesForASecond() {
        EmbeddedChannel server = new EmbeddedChannel(new AcceptFailureHandler("edge"));
        server.freezeTime();
        server.pipeline().fireExceptionCaught(new IOException("Too many open files"));
        server.pipeline().fireExceptionCaught(new IOException("Too many open files"));

        assertEquals(2, warnings.size());
        assertEquals("listener edge: cannot accept a connection: Too many open files; accepting again in 1 s",
                warnings.get(0).getMessage());
        assertNull(warnings.get(0).getThrown(), "no stack trace");
        assertFalse(server.config().isAutoRead());
        server.checkException(); // the error went no further down the pipeline

        server.advanceTimeBy(AcceptFailureHandler.PAUSE_MILLIS - 1, TimeUnit.MILLISECONDS);
        server.runScheduledPendingTasks();
        assertFalse(server.config().isAutoRead());
        server.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        server.runScheduledPendingTasks();
        assertTrue(server.config().isAutoRead());
        server.finishAndReleaseAll();
    }
}
