package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.metrics.ConnectionError;
import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import io.mtlsgateway.gateway.testing.CapturedLogs;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.util.List;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An unhandled exception: counted once by bounded kind, and the connection closed. */
class TerminalExceptionHandlerTest {
    private final GatewayMetrics metrics = new GatewayMetrics(List.of());
    private final EmbeddedChannel channel = new EmbeddedChannel(
            new TerminalExceptionHandler("edge", metrics.listener("edge")));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        metrics.close();
    }

    private double errors(String kind) {
        return metrics.registry().get("mtls.gateway.connection.errors").tag("listener", "edge").tag("kind", kind)
                .counter().count();
    }

    @Test
    void countsTheKindAndCloses() {
        channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
        assertFalse(channel.isOpen());
        assertEquals(1.0, errors("io"));
        assertEquals(0.0, errors("other"));
    }

    @Test
    void namesTlsFailuresEvenWhenTheCodecWrapsThem() {
        assertEquals(ConnectionError.TLS, TerminalExceptionHandler.kindOf(new DecoderException(new SSLException("bad"))));
        assertEquals(ConnectionError.DECODER, TerminalExceptionHandler.kindOf(new DecoderException("bad chunk")));
        assertEquals(ConnectionError.OTHER, TerminalExceptionHandler.kindOf(new IllegalStateException("bug")));
    }

    @Test
    void warnsOncePerKindAndSecondAndCutsTheText() {
        long[] now = {0};
        try (CapturedLogs logs = CapturedLogs.of(TerminalExceptionHandler.class)) {
            TerminalExceptionHandler handler = new TerminalExceptionHandler("edge", metrics.listener("edge"),
                    () -> now[0]);
            String dump = "not an SSL/TLS record: " + "41".repeat(20_000);
            for (int i = 0; i < 5; i++) {
                EmbeddedChannel connection = new EmbeddedChannel(handler);
                connection.pipeline().fireExceptionCaught(new DecoderException(new SSLException(dump)));
                connection.finishAndReleaseAll();
            }
            now[0] += WarningRate.INTERVAL_NANOS;
            EmbeddedChannel later = new EmbeddedChannel(handler);
            later.pipeline().fireExceptionCaught(new DecoderException(new SSLException(dump)));
            later.finishAndReleaseAll();
            List<String> warnings = logs.warnings().stream().map(r -> r.getMessage()).toList();
            assertEquals(2, warnings.size(), warnings.toString());
            assertTrue(warnings.get(1).endsWith("(and 4 more of this kind since the last such warning, logged at"
                    + " FINE only)"), warnings.get(1));
            for (String warning : warnings) {
                assertTrue(warning.length() < TerminalExceptionHandler.MAX_DETAIL + 250, warning.length() + " chars");
            }
        }
        assertEquals(6.0, errors("tls"), "every error is counted");
    }
}
