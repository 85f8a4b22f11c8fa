package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.config.LimitsConfig;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.config.RequestLimits;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.H2TestClient.Reply;
import io.mtlsgateway.gateway.testing.HeldUpstream;
import io.mtlsgateway.gateway.testing.TrailerUpstream;
import io.netty.handler.codec.http2.Http2Error;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Per-identity limits count an h2 connection once, not once per stream; a connection over the cap
 * answers 429 and goes away.
 */
class Http2IdentityLimitsTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    private IssuedCertificate start(HttpSettings http) throws Exception {
        HeldUpstream held = stack.keep(new HeldUpstream());
        TrailerUpstream upstream = stack.keep(new TrailerUpstream());
        IssuedCertificate alice = stack.pki().client("alice", "spiffe://test.example/ns/prod/sa/alice");
        GatewayConfig base = GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("held", "/held", "held"), GatewayFixture.route("api", "/api", "fast")),
                List.of(GatewayFixture.upstream("held", Duration.ofSeconds(30), held.port()),
                        GatewayFixture.upstream("fast", Duration.ofSeconds(30), upstream.port())),
                2, http);
        ListenerConfig l = base.listeners().get(0);
        ListenerConfig limited = new ListenerConfig(l.name(), l.listen(), l.tls(), l.identityHeaders(), l.xfcc(),
                l.rfc9440(), l.http(), new LimitsConfig(Optional.empty(),
                        Optional.of(new RequestLimits(0, 0, 1, 0)), Optional.empty(), 1000));
        stack.start(new GatewayConfig(base.source(), base.workers(), base.transport(), base.admin(),
                List.of(limited), base.routes(), base.upstreams(), base.drainTimeout(), base.accessLog()));
        this.held = held;
        return alice;
    }

    private HeldUpstream held;

    private double goAways(String reason) throws Exception {
        return AdminClient.value(new AdminClient(stack.gateway().adminAddress()).scrape(),
                "mtls_gateway_h2_goaway_total", "reason", reason);
    }

    @Test
    void streamsOfOneConnectionShareItsPlaceUnderTheConnectionCapAndAConnectionOverItGoesAway() throws Exception {
        IssuedCertificate alice = start(HttpSettings.defaults());
        try (H2TestClient h2 = H2TestClient.connect(stack.address(), stack.pki().server.root(),
                alice)) {
            CompletableFuture<Reply> open = h2.request(H2TestClient.head("GET", "/held/a"), null, null);
            held.awaitRequest();
            // A second stream while the first is open: same connection, still within the cap of one.
            assertEquals(200, h2.get("/api/b").status());
            assertEquals(200, h2.get("/api/c").status());
            try (H2TestClient second = H2TestClient.connect(stack.address(),
                    stack.pki().server.root(), alice)) {
                Reply refused = second.get("/api/d");
                assertEquals(429, refused.status());
                assertEquals("1", refused.header("retry-after"));
                // Over the cap the connection serves nothing: it is asked to go away, as an
                // HTTP/1.1 connection is closed after its 429.
                assertEquals(Http2Error.NO_ERROR.code(), second.goAway().get(10, TimeUnit.SECONDS));
            }
            assertEquals(1.0, goAways("connection_limit"));
            held.release();
            assertEquals(200, open.get(10, TimeUnit.SECONDS).status());
        }
    }

    @Test
    void aConnectionOverTheCapThatOpensNoStreamGoesAwayAfterTheHeaderReadTimeoutNotTheIdleTimeout() throws Exception {
        // The idle timeout is far beyond the waits below: only the first-stream timeout ends it in time.
        IssuedCertificate alice = start(new HttpSettings(100, Duration.ofMillis(300), Duration.ofMinutes(10), false));
        try (H2TestClient h2 = H2TestClient.connect(stack.address(), stack.pki().server.root(), alice)) {
            // Answered, so counted: the next connection of alice is the one over the cap.
            assertEquals(200, h2.get("/api/first").status(), "the first connection is within the cap");
            try (H2TestClient silent = H2TestClient.connect(stack.address(), stack.pki().server.root(), alice)) {
                assertEquals(Http2Error.NO_ERROR.code(), silent.goAway().get(10, TimeUnit.SECONDS));
                assertTrue(silent.channel().closeFuture().await(10, TimeUnit.SECONDS),
                        "a silent connection over the cap must not be held open");
            }
            assertEquals(1.0, goAways("connection_limit"));
            assertEquals(200, h2.get("/api/after").status(), "the one within the cap stays");
        }
    }
}
