package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mtlsgateway.gateway.metrics.ConnectionError;
import io.mtlsgateway.gateway.metrics.GatewayMetrics;
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
}
