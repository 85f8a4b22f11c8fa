package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.H2TestClient.Reply;
import io.mtlsgateway.gateway.testing.HeldUpstream;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TrailerUpstream;
import io.netty.handler.codec.http2.Http2Error;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How h2 connections end: drain, idle, and the RFC 8441 WebSocket bootstrap that is refused. */
class Http2LifecycleTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    TestPki pki;
    HeldUpstream held;
    TrailerUpstream upstream;
    GatewayServer gateway;
    IssuedCertificate client;

    @BeforeEach
    void start() throws Exception {
        pki = stack.pki();
        held = stack.keep(new HeldUpstream());
        upstream = stack.keep(new TrailerUpstream());
        client = pki.client("app", "spiffe://test.example/ns/prod/sa/app");
        gateway = stack.start(GatewayFixture.config(pki, ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("slow", "/slow", "held"), GatewayFixture.route("api", "/api", "fast")),
                List.of(GatewayFixture.upstream("held", Duration.ofSeconds(30), held.port()),
                        GatewayFixture.upstream("fast", Duration.ofSeconds(30), upstream.port())),
                // An idle timeout no pause between two requests of one test reaches on a loaded machine.
                2, new HttpSettings(100, Duration.ofSeconds(10), Duration.ofSeconds(2), false)));
    }

    private H2TestClient connect() throws Exception {
        return H2TestClient.connect(gateway.address(GatewayFixture.LISTENER), pki.server.root(), client);
    }

    @Test
    void drainSendsGoAwayAndLetsTheOpenStreamFinish() throws Exception {
        try (H2TestClient h2 = connect()) {
            CompletableFuture<Reply> inFlight = h2.request(H2TestClient.head("GET", "/slow/x"), null, null);
            held.awaitRequest();
            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(gateway::drain);
            assertEquals(Http2Error.NO_ERROR.code(), h2.goAway().get(10, TimeUnit.SECONDS));
            assertFalse(drained.isDone(), "a stream is still open");
            held.release();
            Reply reply = inFlight.get(10, TimeUnit.SECONDS);
            assertEquals(200, reply.status());
            assertEquals("held", reply.body());
            assertTrue(drained.get(30, TimeUnit.SECONDS));
        }
        double drains = AdminClient.value(new AdminClient(gateway.adminAddress()).scrape(),
                "mtls_gateway_h2_goaway_total", "reason", "drain");
        assertEquals(1.0, drains);
    }

    @Test
    void goesAwayAfterTheIdleTimeoutWithoutOpenStreams() throws Exception {
        try (H2TestClient h2 = connect()) {
            assertEquals(200, h2.get("/api/once").status());
            assertEquals(Http2Error.NO_ERROR.code(), h2.goAway().get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void refusesTheWebSocketBootstrapOfRfc8441() throws Exception {
        try (H2TestClient h2 = connect()) {
            Reply reply = h2.request(H2TestClient.head("CONNECT", "/api/chat").add(":protocol", "websocket"),
                    null, null).get(10, TimeUnit.SECONDS);
            assertNotEquals(200, reply.status(), reply.toString());
            assertEquals(0, upstream.requestsWithPath("/api/chat"));
            // The connection still serves other streams.
            assertEquals(200, h2.get("/api/after").status());
        }
    }
}
