package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.LimitsConfig;
import io.mtlsgateway.config.SourceLimits;
import io.mtlsgateway.gateway.limits.LimitReason;
import io.mtlsgateway.gateway.limits.SourceLimiter;
import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A listener's per-source limits, applied to each connection as it is accepted, before any TLS. */
class SourceGateTest {
    private final GatewayMetrics metrics = new GatewayMetrics(List.of());
    private final SourceGate gate = new SourceGate("edge", metrics.limits("edge"));
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        metrics.close();
    }

    private static LimitsConfig concurrentHandshakes(int n) {
        return new LimitsConfig(Optional.of(new SourceLimits(0, n, Optional.empty(), SourceLimits.DEFAULT_IPV4_PREFIX,
                SourceLimits.DEFAULT_IPV6_PREFIX)), Optional.empty(), Optional.empty(), LimitsConfig.DEFAULT_MAX_TRACKED);
    }

    /** A connection accepted from {@code ip}. */
    private EmbeddedChannel from(String ip) {
        InetSocketAddress remote = new InetSocketAddress(ip, 40_000 + channels.size());
        EmbeddedChannel channel = new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return remote;
            }
        };
        channels.add(channel);
        return channel;
    }

    private double refused(LimitReason reason) {
        return metrics.registry().get("mtls.gateway.limited").tag("listener", "edge").tag("reason", reason.label())
                .counter().count();
    }

    @Test
    void aListenerWithoutSourceLimitsDecidesNothing() {
        EmbeddedChannel channel = from("192.0.2.1");
        assertNull(gate.admit(channel, LimitsConfig.NONE));
        assertTrue(channel.isOpen());
    }

    @Test
    void aConnectionWithoutAnIpAddressIsNotLimited() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channels.add(channel);
        assertNull(gate.admit(channel, concurrentHandshakes(1)));
        assertTrue(channel.isOpen());
    }

    @Test
    void aSourceOverItsConcurrentHandshakesIsClosedAndCountedUntilAHandshakeEnds() {
        LimitsConfig limits = concurrentHandshakes(1);
        EmbeddedChannel first = from("192.0.2.1");
        SourceLimiter.Admission admitted = gate.admit(first, limits);
        assertNotNull(admitted);
        assertTrue(admitted.admitted());

        EmbeddedChannel second = from("192.0.2.1");
        SourceLimiter.Admission refused = gate.admit(second, limits);

        assertFalse(refused.admitted());
        assertFalse(second.isOpen(), "refused before any TLS handler exists");
        assertEquals(1.0, refused(LimitReason.CONCURRENT_HANDSHAKES));
        assertTrue(gate.admit(from("198.51.100.7"), limits).admitted(), "another source has its own budget");

        admitted.handshake().ended(true, true, first.eventLoop().ticker().nanoTime());
        assertTrue(gate.admit(from("192.0.2.1"), limits).admitted(), "the ended handshake freed its slot");
        assertTrue(first.isOpen());
    }
}
