package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.GatedUpstream;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.H2TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many answers reaching one h2 client in the same round of the event loop: the flush consolidation
 * sends every 64th of them at once, so that stream's last frame is written, and the stream closed by
 * the codec, while its exchange is still writing it. Each exchange must still end cleanly: its
 * upstream connection back in the pool (not closed as if the client had gone), the request counted
 * once and not truncated. Rounds of 100 streams (the gateway's default stream limit) to an HTTP/1.1
 * upstream that answers them all together: the second and third rounds reuse the first round's
 * connections, every one of them. One event loop, so every answer passes the same flush consolidation.
 */
class Http2AnswersAtOnceTest {
    private static final int STREAMS = 100;

    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static IssuedCertificate client;
    static GatedUpstream upstream;
    static AdminClient admin;

    @BeforeAll
    static void start() throws Exception {
        client = stack.pki().client("together", "spiffe://example.org/ns/test/sa/together");
        upstream = stack.keep(new GatedUpstream());
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("gated", "/r", "gated")),
                List.of(GatewayFixture.upstream("gated", Duration.ofSeconds(20), upstream.port())), 1,
                HttpSettings.defaults()));
        admin = new AdminClient(stack.gateway().adminAddress());
    }

    @Test
    void answersThatLeaveTogetherGiveTheirUpstreamConnectionsBack() throws Exception {
        H2TestClient h2 = stack.keep(H2TestClient.connect(stack.address(), stack.pki().server.root(), client));
        for (int round = 1; round <= 3; round++) {
            List<CompletableFuture<H2TestClient.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                replies.add(h2.request(H2TestClient.head("GET", "/r/" + round + "/" + i), null, null));
            }
            assertTrue(upstream.awaitHeld(STREAMS), "round " + round + ": requests held upstream: "
                    + upstream.arrivedUnawaited() + ", connections " + upstream.accepted());
            upstream.releaseAll();
            for (CompletableFuture<H2TestClient.Reply> reply : replies) {
                H2TestClient.Reply answer = reply.get(20, TimeUnit.SECONDS);
                assertEquals(200, answer.status());
                assertEquals("ok", answer.body());
            }
            // A request answered by the gateway itself, read after the round's connections went back
            // to the pool (a task each answer queued on the one loop): the scrape below sees them all.
            assertEquals(404, h2.get("/nowhere").status());
            assertEquals(STREAMS, upstream.accepted(),
                    "round " + round + ": each of the 100 streams in flight took a connection once, then reused it");
        }
        String scrape = admin.scrape();
        assertEquals(STREAMS, AdminClient.value(scrape, "mtls_gateway_upstream_connections_active", "upstream",
                "gated"), "all pooled, none closed");
        assertEquals(3.0 * STREAMS, AdminClient.value(scrape, "mtls_gateway_requests_total", "route", "gated",
                "code", "200"), "each request counted once, as answered");
    }
}
