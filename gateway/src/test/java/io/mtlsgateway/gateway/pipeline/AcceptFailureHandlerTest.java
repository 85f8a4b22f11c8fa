package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.testing.CapturedLogs;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AcceptFailureHandlerTest {
    private CapturedLogs logs;

    @BeforeEach
    void capture() {
        logs = CapturedLogs.of(AcceptFailureHandler.class);
    }

    @AfterEach
    void release() {
        logs.close();
    }

    @Test
    void aFailedAcceptIsOneLineWithoutStackTraceAndAcceptingPausesForASecond() {
        EmbeddedChannel server = new EmbeddedChannel(new AcceptFailureHandler("edge"));
        server.freezeTime();
        server.pipeline().fireExceptionCaught(new IOException("Too many open files"));
        server.pipeline().fireExceptionCaught(new IOException("Too many open files"));

        List<LogRecord> warnings = logs.warnings();
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
