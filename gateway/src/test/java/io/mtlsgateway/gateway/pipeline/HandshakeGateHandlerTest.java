package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mtlsgateway.config.LimitsConfig;
import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import io.mtlsgateway.gateway.verify.HandshakeVerdicts;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gate alone: no HTTP stage before a verdict, one count and a close for a failed handshake. */
class HandshakeGateHandlerTest {
    private final GatewayMetrics metrics = new GatewayMetrics(List.of());
    private final ListenerSnapshot snapshot = new ListenerSnapshot() {
        @Override
        public String listener() {
            return "edge";
        }

        @Override
        public SslContext tls() {
            throw new UnsupportedOperationException("not needed by the gate");
        }

        @Override
        public HandshakeVerdicts verdicts() {
            return new HandshakeVerdicts();
        }

        @Override
        public LimitsConfig limits() {
            return LimitsConfig.NONE;
        }

        @Override
        public HttpStage.Factory httpStage() {
            return new HttpStage.Factory() {
                @Override
                public HttpStage create(VerifiedPeer peer) {
                    throw new AssertionError("no HTTP stage may be built for a failed handshake");
                }

                @Override
                public HttpStage.Http2Streams http2Streams(VerifiedPeer peer) {
                    throw new AssertionError("no HTTP stage may be built for a failed handshake");
                }
            };
        }
    };

    private final EmbeddedChannel channel = new EmbeddedChannel(
            new HandshakeGateHandler(snapshot, new HandshakeFailureLog(), metrics.listener("edge")));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        metrics.close();
    }

    private double handshakes(String reason) {
        return metrics.registry().get("mtls.gateway.handshakes").tag("listener", "edge").tag("reason", reason)
                .counter().count();
    }

    @Test
    void aFailedHandshakeIsCountedByReasonAndClosed() {
        channel.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(
                new SslHandshakeTimeoutException("handshake timed out after 10000ms")));
        assertFalse(channel.isOpen());
        assertEquals(1.0, handshakes("timeout"));
    }

    @Test
    void applicationBytesBeforeTheVerdictAreReleasedAndCloseTheConnection() {
        var bytes = Unpooled.copiedBuffer(new byte[] {'G', 'E', 'T'});
        channel.writeInbound(bytes);
        assertEquals(0, bytes.refCnt());
        assertFalse(channel.isOpen());
    }

    @Test
    void aDrainDuringTheHandshakeClosesAtOnce() {
        channel.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
        assertFalse(channel.isOpen());
    }
}
