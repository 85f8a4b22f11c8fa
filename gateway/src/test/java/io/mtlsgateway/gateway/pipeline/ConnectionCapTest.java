package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.limits.LimitReason;
import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A listener's cap on its open client connections, applied as each is accepted. */
class ConnectionCapTest {
    private final GatewayMetrics metrics = new GatewayMetrics(List.of());
    private final ConnectionCap cap = new ConnectionCap("edge", metrics.limits("edge"));
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        metrics.close();
    }

    private EmbeddedChannel accepted() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channels.add(channel);
        return channel;
    }

    private double refused() {
        return metrics.registry().get("mtls.gateway.limited").tag("listener", "edge")
                .tag("reason", LimitReason.MAX_CONNECTIONS.label()).counter().count();
    }

    @Test
    void closesTheConnectionOverTheCapAndFreesAPlaceWhenOneCloses() {
        EmbeddedChannel first = accepted();
        EmbeddedChannel second = accepted();
        assertTrue(cap.admit(first, 2));
        assertTrue(cap.admit(second, 2));
        EmbeddedChannel third = accepted();
        assertFalse(cap.admit(third, 2));
        assertFalse(third.isOpen(), "refused before any byte is read");
        assertEquals(1, refused());
        assertEquals(2, cap.open(), "a refused connection is not counted");

        first.close();
        assertEquals(1, cap.open());
        assertTrue(cap.admit(accepted(), 2), "the closed connection's place is free again");
    }

    @Test
    void countsWithoutACapSoThatOneSetByAReloadSeesEveryOpenConnection() {
        assertTrue(cap.admit(accepted(), 0));
        assertTrue(cap.admit(accepted(), 0));
        assertEquals(2, cap.open());
        assertFalse(cap.admit(accepted(), 2), "two were open before the cap existed");
        assertEquals(1, refused());
    }
}
