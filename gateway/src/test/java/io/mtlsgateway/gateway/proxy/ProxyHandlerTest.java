package io.mtlsgateway.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.XfccMode;
import io.mtlsgateway.gateway.identity.IdentityHeaderWriter;
import io.mtlsgateway.gateway.pipeline.DrainEvent;
import io.mtlsgateway.gateway.pipeline.UpstreamInitializers;
import io.mtlsgateway.gateway.pipeline.VerifiedPeer;
import io.mtlsgateway.gateway.routing.RouteTable;
import io.mtlsgateway.gateway.upstream.Upstreams;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.CharsetUtil;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The request handler alone: answers it gives itself, keep-alive, drain, release of what it does not use. */
class ProxyHandlerTest {
    private final HttpStageSnapshot snapshot = new HttpStageSnapshot("edge", RouteTable.of(List.of()),
            new IdentityHeaderWriter(Map.of(), XfccMode.SANITIZE, false, Optional.empty()),
            new Upstreams(Map.of(), new Bootstrap(), 1, UpstreamInitializers.INSTANCE));
    private final EmbeddedChannel channel = new EmbeddedChannel(
            new ProxyHandler(snapshot, new VerifiedPeer(null, List.of(), "192.0.2.7")));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private static FullHttpRequest get(String uri) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        request.headers().set(HttpHeaderNames.HOST, "api.example.com");
        return request;
    }

    @Test
    void answersARequestNoRouteMatchesWith404AndKeepsTheConnection() {
        FullHttpRequest request = get("/nowhere");
        channel.writeInbound(request);
        FullHttpResponse response = channel.readOutbound();
        try {
            assertEquals(404, response.status().code());
            assertEquals("{\"error\":\"no_route\"}\n", response.content().toString(CharsetUtil.UTF_8));
        } finally {
            response.release();
        }
        assertEquals(0, request.refCnt());
        assertTrue(channel.isOpen());
    }

    @Test
    void closesAfterTheAnswerWhenTheClientAsksTo() {
        FullHttpRequest request = get("/nowhere");
        request.headers().set(HttpHeaderNames.CONNECTION, "close");
        channel.writeInbound(request);
        FullHttpResponse response = channel.readOutbound();
        response.release();
        assertEquals("close", response.headers().get(HttpHeaderNames.CONNECTION));
        assertFalse(channel.isOpen());
    }

    @Test
    void aMalformedHeadIsRefusedAndTheConnectionClosed() {
        FullHttpRequest request = get("/x");
        request.headers().add(HttpHeaderNames.HOST, "second.example.com");
        channel.writeInbound(request);
        FullHttpResponse response = channel.readOutbound();
        response.release();
        assertEquals(400, response.status().code());
        assertFalse(channel.isOpen());
    }

    @Test
    void anIdleConnectionClosesShortlyAfterADrain() {
        channel.freezeTime();
        channel.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
        // A grace moment for a request already on its way, then the close.
        assertTrue(channel.isOpen());
        channel.advanceTimeBy(DownstreamRequests.IDLE_DRAIN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(channel.isOpen());
    }

    @Test
    void releasesWhatIsNotHttp() {
        var bytes = Unpooled.copiedBuffer("stray", CharsetUtil.US_ASCII);
        channel.writeInbound(bytes);
        assertEquals(0, bytes.refCnt());
        assertTrue(channel.isOpen());
    }
}
