package io.mtlsgateway.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.CharsetUtil;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin endpoint's handler alone: its three resources, 404 and 405, readiness as told. */
class AdminHandlerTest {
    private final GatewayMetrics metrics = new GatewayMetrics(List.of());
    private final AtomicBoolean ready = new AtomicBoolean(true);
    private final EmbeddedChannel channel = new EmbeddedChannel(new AdminHandler(metrics.registry(), ready::get));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        metrics.close();
    }

    private FullHttpResponse ask(HttpMethod method, String uri) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        channel.writeInbound(request);
        assertEquals(0, request.refCnt(), "the request is released");
        return channel.readOutbound();
    }

    private static String body(FullHttpResponse response) {
        try {
            return response.content().toString(CharsetUtil.UTF_8);
        } finally {
            response.release();
        }
    }

    @Test
    void servesPrometheusTextOnMetrics() {
        metrics.listener("edge");
        FullHttpResponse response = ask(HttpMethod.GET, "/metrics");
        assertEquals(200, response.status().code());
        assertEquals(AdminHandler.TEXT_004, response.headers().get(HttpHeaderNames.CONTENT_TYPE));
        assertTrue(body(response).contains("mtls_gateway_handshakes_total{"));
    }

    @Test
    void readyzFollowsReadiness() {
        FullHttpResponse isReady = ask(HttpMethod.GET, "/readyz");
        assertEquals(200, isReady.status().code());
        isReady.release();
        ready.set(false);
        FullHttpResponse notReady = ask(HttpMethod.GET, "/readyz");
        assertEquals(503, notReady.status().code());
        assertEquals("not ready\n", body(notReady));
    }

    @Test
    void tellsAnHttp10KeepAliveProbeThatItsConnectionStays() {
        FullHttpRequest probe = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/healthz");
        probe.headers().set(HttpHeaderNames.CONNECTION, "keep-alive");
        channel.writeInbound(probe);
        FullHttpResponse kept = channel.readOutbound();
        assertEquals("keep-alive", kept.headers().get(HttpHeaderNames.CONNECTION));
        kept.release();
        assertTrue(channel.isOpen());
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/healthz"));
        FullHttpResponse closing = channel.readOutbound();
        assertEquals("close", closing.headers().get(HttpHeaderNames.CONNECTION));
        closing.release();
        assertFalse(channel.isOpen(), "without keep-alive an HTTP/1.0 connection closes after its answer");
    }

    @Test
    void refusesOtherPathsAndMethods() {
        FullHttpResponse missing = ask(HttpMethod.GET, "/admin");
        assertEquals(404, missing.status().code());
        missing.release();
        FullHttpResponse post = ask(HttpMethod.POST, "/healthz");
        assertEquals(405, post.status().code());
        assertEquals("GET, HEAD", post.headers().get(HttpHeaderNames.ALLOW));
        post.release();
    }
}
