package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtlsgateway.config.Http2Limits;
import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When an h2 connection is asked to go away of its own accord: its age, its request count, or no
 * open stream for the idle timeout; nothing once it is stopped. Streams are stood in for by plain
 * embedded channels (only their closing matters here).
 */
class Http2ConnectionLifetimeTest {
    private static final Duration IDLE = Duration.ofSeconds(30);

    private final GatewayMetrics metrics = new GatewayMetrics(List.of());
    private final EmbeddedChannel connection = new EmbeddedChannel();
    private final List<GoAwayReason> reasons = new ArrayList<>();
    private final List<EmbeddedChannel> streams = new ArrayList<>();

    @AfterEach
    void close() {
        streams.forEach(EmbeddedChannel::finishAndReleaseAll);
        connection.finishAndReleaseAll();
        metrics.close();
    }

    private Http2ConnectionLifetime start(Duration maxAge, int maxRequests) {
        connection.freezeTime();
        Http2Limits limits = new Http2Limits(Http2Limits.DEFAULT_MAX_CONCURRENT_STREAMS,
                Http2Limits.DEFAULT_MAX_HEADER_LIST_SIZE, maxAge, maxRequests);
        Http2ConnectionLifetime lifetime = new Http2ConnectionLifetime(limits, IDLE, metrics.listener("edge").http2());
        lifetime.start(connection.eventLoop(), reasons::add);
        return lifetime;
    }

    private EmbeddedChannel open(Http2ConnectionLifetime lifetime) {
        EmbeddedChannel stream = new EmbeddedChannel();
        streams.add(stream);
        lifetime.streamOpened();
        stream.closeFuture().addListener(f -> lifetime.streamClosed());
        return stream;
    }

    private void advance(Duration by) {
        connection.advanceTimeBy(by.toMillis(), TimeUnit.MILLISECONDS);
        connection.runScheduledPendingTasks();
    }

    @Test
    void theIdleClockRunsOnlyWhileNoStreamIsOpen() {
        Http2ConnectionLifetime lifetime = start(Duration.ofHours(1), 1000);
        EmbeddedChannel stream = open(lifetime);
        advance(IDLE.multipliedBy(2));
        assertEquals(List.of(), reasons, "an open stream keeps the connection busy");

        stream.close();
        advance(IDLE.minusMillis(1));
        assertEquals(List.of(), reasons);
        advance(Duration.ofMillis(1));
        assertEquals(List.of(GoAwayReason.IDLE), reasons);
    }

    @Test
    void aStreamDuringTheIdleWaitStartsTheIdleTimeAgainWhenItCloses() {
        Http2ConnectionLifetime lifetime = start(Duration.ofHours(1), 1000);
        advance(IDLE.dividedBy(2));
        open(lifetime).close();

        advance(IDLE.dividedBy(2));
        assertEquals(List.of(), reasons, "idle for half the timeout since the stream closed");
        advance(IDLE.dividedBy(2).minusMillis(1));
        assertEquals(List.of(), reasons);
        advance(Duration.ofMillis(1));
        assertEquals(List.of(GoAwayReason.IDLE), reasons, "one timeout after the stream closed");
    }

    @Test
    void theLastRequestAConnectionMayCarryAsksItToGoAway() {
        Http2ConnectionLifetime lifetime = start(Duration.ofHours(1), 2);
        open(lifetime);
        assertEquals(List.of(), reasons);
        open(lifetime);
        assertEquals(List.of(GoAwayReason.MAX_REQUESTS), reasons);
    }

    @Test
    void aConnectionAtItsAgeIsAskedToGoAway() {
        start(Duration.ofSeconds(10), 1000);
        advance(Duration.ofSeconds(10).minusMillis(1));
        assertEquals(List.of(), reasons);
        advance(Duration.ofMillis(1));
        assertEquals(List.of(GoAwayReason.MAX_AGE), reasons);
    }

    @Test
    void aStoppedConnectionIsNeverAskedAgainNotEvenWhenItsLastStreamCloses() {
        Http2ConnectionLifetime lifetime = start(Duration.ofSeconds(10), 1000);
        EmbeddedChannel stream = open(lifetime);
        lifetime.stop();
        stream.close();
        advance(Duration.ofHours(1));
        assertEquals(List.of(), reasons);
    }
}
