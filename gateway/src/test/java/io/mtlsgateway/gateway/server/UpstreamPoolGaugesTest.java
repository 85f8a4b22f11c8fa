package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.config.UpstreamConfig;
import io.mtlsgateway.config.UpstreamProtocol;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.H2Upstream;
import io.mtlsgateway.gateway.testing.HeldUpstream;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The upstream pools' occupancy gauges read from the admin {@code /metrics} while requests are
 * held at real upstreams: open connections per upstream (h2c and HTTP/1.1) and open h2 streams,
 * and the listener's own open client streams.
 * One event loop, so the pool's state is the one loop's and the order of its tasks is known.
 */
class UpstreamPoolGaugesTest {
    private static final String CONNECTIONS = "mtls_gateway_upstream_connections_active";
    private static final String STREAMS = "mtls_gateway_upstream_h2_streams_active";

    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static IssuedCertificate client;
    static H2Upstream limited;
    static HeldUpstream held;
    static AdminClient admin;

    @BeforeAll
    static void start() throws Exception {
        client = stack.pki().client("gauges", "spiffe://example.org/ns/test/sa/gauges");
        limited = stack.keep(H2Upstream.cleartext(2));
        held = stack.keep(new HeldUpstream());
        UpstreamConfig h2c = GatewayFixture.upstream("limited", Duration.ofSeconds(20), limited.port())
                .withProtocol(UpstreamProtocol.H2C);
        UpstreamConfig h1 = GatewayFixture.upstream("held", Duration.ofSeconds(20), held.port());
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE, List.of(
                GatewayFixture.route("held", "/held", "held"),
                GatewayFixture.route("limited", "/hold", "limited")), List.of(h2c, h1), 1, HttpSettings.defaults()));
        admin = new AdminClient(stack.gateway().adminAddress());
    }

    private static double gauge(String scrape, String name, String upstream) {
        return AdminClient.value(scrape, name, "upstream", upstream);
    }

    @Test
    void h2StreamsAndConnectionsAreCountedPerUpstreamWhileTheyAreOpen() throws Exception {
        String before = admin.scrape();
        assertEquals(0, gauge(before, STREAMS, "limited"), "registered at load, zero before any traffic");
        assertEquals(0, gauge(before, CONNECTIONS, "limited"));

        CountDownLatch allSeen = new CountDownLatch(5);
        limited.onRequest(r -> allSeen.countDown());
        H2TestClient h2 = stack.keep(H2TestClient.connect(stack.address(), stack.pki().server.root(), client));
        List<CompletableFuture<H2TestClient.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            replies.add(h2.request(H2TestClient.head("GET", "/hold/" + i), null, null));
        }
        assertTrue(allSeen.await(20, TimeUnit.SECONDS), "seen " + limited.requests().size());

        // Five streams held at an upstream that takes two per connection: three connections.
        String during = admin.scrape();
        assertEquals(5, gauge(during, STREAMS, "limited"), during);
        assertEquals(3, gauge(during, CONNECTIONS, "limited"), during);
        assertEquals(0, gauge(during, STREAMS, "held"), "an HTTP/1.1 upstream has no h2 streams");
        assertEquals(5, AdminClient.value(during, "mtls_gateway_h2_streams_active", "listener",
                GatewayFixture.LISTENER), "the client side: five open streams on the listener");

        limited.release();
        for (CompletableFuture<H2TestClient.Reply> reply : replies) {
            assertEquals(200, reply.get(20, TimeUnit.SECONDS).status());
        }
        // A request after the answers is read on the one loop after their streams were given back
        // (a task the answers queued); the gateway answers it itself, so it opens no upstream stream.
        assertEquals(404, h2.get("/nowhere").status());
        String after = admin.scrape();
        assertEquals(0, gauge(after, STREAMS, "limited"), after);
        assertEquals(3, gauge(after, CONNECTIONS, "limited"), "idle connections stay pooled (and counted)");
    }

    @Test
    void anHttp1UpstreamsOpenConnectionIsCounted() throws Exception {
        try (TlsTestClient connection = stack.connect(client)) {
            connection.send("GET /held/1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
            held.awaitRequest();
            String during = admin.scrape();
            assertEquals(1, gauge(during, CONNECTIONS, "held"), during);
            held.release();
            assertEquals(200, connection.readResponse().status());
        }
    }
}
