package io.mtlsgateway.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.XfccMode;
import io.mtlsgateway.gateway.identity.IdentityHeaderWriter;
import io.mtlsgateway.gateway.identity.PeerIdentity;
import io.mtlsgateway.gateway.pipeline.DrainEvent;
import io.mtlsgateway.gateway.pipeline.UpstreamInitializers;
import io.mtlsgateway.gateway.pipeline.VerifiedPeer;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.routing.RouteTable;
import io.mtlsgateway.gateway.upstream.Upstreams;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A keep-alive connection that is idle when the drain starts may already carry the client's next
 * request: it is not closed at once (that request would be lost), but answered with
 * {@code Connection: close}; a connection still idle after the grace is closed. Every request
 * here is answered by the gateway itself (no route: 404), so no upstream is needed.
 */
class DrainIdleConnectionTest {
    private EmbeddedChannel channel;

    @BeforeEach
    void connect() {
        IssuedCertificate ca = new CertificateBuilder().subject("CN=CA").ca(-1).selfSigned();
        List<X509Certificate> chain = List.of(new CertificateBuilder().subject("CN=app").forClient()
                .signedBy(ca).certificate());
        HttpStageSnapshot snapshot = new HttpStageSnapshot("edge", RouteTable.of(List.of()),
                new IdentityHeaderWriter(Map.of(), XfccMode.SANITIZE, false, Optional.empty()),
                new Upstreams(Map.of(), new Bootstrap(), 1, UpstreamInitializers.INSTANCE));
        channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new ProxyHandler(snapshot, new VerifiedPeer(PeerIdentity.of(chain), chain,
                "127.0.0.1:40000")));
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void answersARequestThatArrivesJustAfterTheDrainWithConnectionClose() {
        assertFalse(request().headers().contains("connection", "close", true), "before the drain: kept alive");
        channel.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
        channel.runPendingTasks();
        assertTrue(channel.isOpen(), "an idle connection is not closed the moment the drain starts");

        HttpResponse answer = request();
        assertEquals(404, answer.status().code());
        assertEquals("close", answer.headers().get("connection"));
        channel.runPendingTasks();
        assertFalse(channel.isOpen(), "closed once the answer is written");
    }

    @Test
    void closesAConnectionStillIdleAfterTheGrace() {
        request();
        channel.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
        channel.advanceTimeBy(DownstreamRequests.IDLE_DRAIN_GRACE.toMillis() - 1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen());
        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(channel.isOpen(), "idle for the whole grace: closed");
    }

    /** Sends a GET and returns the (404) answer's head, its buffers released. */
    private HttpResponse request() {
        DefaultFullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/nothing");
        get.headers().set("host", "localhost");
        channel.writeInbound(get);
        HttpResponse head = null;
        Object out;
        while ((out = channel.readOutbound()) != null) {
            if (out instanceof HttpResponse response && head == null) {
                // A copy: the head's values stay readable after the release below.
                head = new DefaultHttpResponse(response.protocolVersion(), response.status(), response.headers().copy());
            }
            ReferenceCountUtil.release(out);
        }
        if (head == null) {
            throw new AssertionError("no response written");
        }
        return head;
    }
}
