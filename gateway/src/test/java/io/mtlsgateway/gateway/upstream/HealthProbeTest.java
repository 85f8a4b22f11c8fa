package io.mtlsgateway.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.HealthCheckConfig;
import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.config.OutlierDetectionConfig;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One health check on its connection: the request it sends, and the one verdict it gives. */
class HealthProbeTest {
    private static final HostPort ENDPOINT = new HostPort("10.0.0.5", 8080);
    /** One check decides: a single failure marks the endpoint down, a single pass up again. */
    private final EndpointHealth health = new EndpointHealth(ENDPOINT, OutlierDetectionConfig.defaults(),
            Optional.of(new HealthCheckConfig("/healthz", Duration.ofSeconds(5), Duration.ofSeconds(1), 1, 1)));
    private final AtomicBoolean stopped = new AtomicBoolean();
    private EmbeddedChannel channel;

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private EmbeddedChannel probe() {
        channel = new EmbeddedChannel(new HealthProbe("/healthz", health, stopped::get));
        return channel;
    }

    @Test
    void sendsOneGetOfTheCheckPathThatClosesTheConnection() {
        FullHttpRequest request = assertInstanceOf(FullHttpRequest.class, probe().readOutbound());
        try {
            assertEquals(HttpMethod.GET, request.method());
            assertEquals("/healthz", request.uri());
            assertEquals("10.0.0.5:8080", request.headers().get("host"));
            assertEquals("close", request.headers().get("connection"));
            assertEquals("0", request.headers().get("content-length"));
        } finally {
            request.release();
        }
        assertNull(channel.readOutbound());
    }

    @Test
    void anErrorStatusFailsTheCheckAndClosesTheConnection() {
        probe().writeInbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE));

        assertFalse(health.checkedHealthy());
        assertFalse(channel.isOpen());
    }

    @Test
    void aTwoHundredAfterAnInterimResponsePassesAndTheCloseThatFollowsIsNoSecondVerdict() {
        health.checkResult(false);
        probe().writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        assertTrue(channel.isOpen(), "a 1xx is not the answer");

        channel.writeInbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT));

        assertTrue(health.checkedHealthy());
        assertFalse(channel.isOpen(), "the probe closes its connection, which does not count as a failure");
    }

    @Test
    void aConnectionThatClosesWithoutAnswerFailsTheCheck() {
        probe().close();
        assertFalse(health.checkedHealthy());
    }

    @Test
    void aVerdictAfterTheChecksStoppedIsDropped() {
        probe();
        stopped.set(true);
        channel.pipeline().fireExceptionCaught(new IllegalStateException("reset"));

        assertTrue(health.checkedHealthy(), "a stopped checker judges nothing");
        assertFalse(channel.isOpen());
    }
}
