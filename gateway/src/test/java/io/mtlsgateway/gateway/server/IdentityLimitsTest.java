package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.config.LimitsConfig;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.config.RequestLimits;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.HeldUpstream;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient.Response;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per-identity limits over real sockets: 429 with Retry-After, counted, per client. */
class IdentityLimitsTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    TestPki pki;
    IssuedCertificate alice;
    IssuedCertificate bob;
    EchoUpstream echo;
    HeldUpstream held;
    GatewayServer gateway;

    @BeforeEach
    void setUp() throws Exception {
        pki = stack.pki();
        alice = pki.client("alice", null);
        bob = pki.client("bob", null);
        echo = stack.keep(EchoUpstream.start(0));
        held = stack.keep(new HeldUpstream());
    }

    private void start(ClientAuthMode clientAuth, RequestLimits perIdentity, RequestLimits anonymous)
            throws Exception {
        start(clientAuth, perIdentity, anonymous, HttpSettings.defaults());
    }

    private void start(ClientAuthMode clientAuth, RequestLimits perIdentity, RequestLimits anonymous,
            HttpSettings http) throws Exception {
        GatewayConfig base = GatewayFixture.config(pki, clientAuth,
                List.of(GatewayFixture.route("held", "/held", "held"), GatewayFixture.route("echo", "/", "echo")),
                List.of(GatewayFixture.upstream("echo", Duration.ofSeconds(10), echo.port()),
                        GatewayFixture.upstream("held", Duration.ofSeconds(30), held.port())),
                2, http);
        ListenerConfig l = base.listeners().get(0);
        ListenerConfig limited = new ListenerConfig(l.name(), l.listen(), l.tls(), l.identityHeaders(), l.xfcc(),
                l.rfc9440(), l.http(), new LimitsConfig(Optional.empty(), Optional.ofNullable(perIdentity),
                        Optional.ofNullable(anonymous), 1000));
        gateway = stack.start(new GatewayConfig(base.source(), base.workers(), base.transport(), base.admin(),
                List.of(limited), base.routes(), base.upstreams(), base.drainTimeout(), base.accessLog()));
    }

    private TlsTestClient connect(IssuedCertificate client) throws Exception {
        return TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER), pki.server.root(), client);
    }

    private static Response get(TlsTestClient connection, String path) throws IOException {
        return connection.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse();
    }

    private double limited(String reason) {
        return gateway.metrics().registry().get("mtls.gateway.limited").tag("reason", reason).counter().count();
    }

    @Test
    void answers429WithRetryAfterWhenAClientSpendsItsBurst() throws Exception {
        start(ClientAuthMode.REQUIRE, new RequestLimits(1, 2, 0, 0), null);
        try (TlsTestClient connection = connect(alice); TlsTestClient other = connect(bob)) {
            // Pipelined, so all three arrive well within the second that refills one token.
            connection.send("GET /a HTTP/1.1\r\nHost: localhost\r\n\r\nGET /b HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "GET /c HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals(200, connection.readResponse().status());
            assertEquals(200, connection.readResponse().status());
            Response third = connection.readResponse();
            assertEquals(429, third.status());
            assertTrue(Long.parseLong(third.headers().get("retry-after")) >= 1);
            assertTrue(third.body().contains("too_many_requests"), third.body());
            assertEquals(200, get(other, "/d").status(), "bob has a bucket of his own");
        }
        assertEquals(1, limited("request_rate"));
    }

    @Test
    void capsRequestsInFlightAndConnectionsPerClient() throws Exception {
        start(ClientAuthMode.REQUIRE, new RequestLimits(0, 0, 2, 1), null);
        try (TlsTestClient first = connect(alice); TlsTestClient second = connect(alice)) {
            first.send("GET /held HTTP/1.1\r\nHost: localhost\r\n\r\n");
            held.awaitRequest();
            assertEquals(429, get(second, "/echo").status(), "one request of alice is in flight already");
            try (TlsTestClient third = connect(alice)) {
                Response refused = get(third, "/echo");
                assertEquals(429, refused.status(), "a third connection of alice");
                assertEquals("close", refused.headers().get("connection"));
            }
            held.release();
            assertEquals(200, first.readResponse().status());
            assertEquals(200, get(second, "/echo").status());
        }
        assertEquals(1, limited("in_flight"));
        assertEquals(1, limited("connections"));
    }

    @Test
    void closesASilentConnectionOverTheCapAfterTheHeaderReadTimeoutNotTheIdleTimeout() throws Exception {
        // The idle timeout is far beyond the client's 30 s read timeout: only the fix closes it in time.
        start(ClientAuthMode.REQUIRE, new RequestLimits(0, 0, 1, 0), null,
                new HttpSettings(100, Duration.ofMillis(300), Duration.ofMinutes(10), false));
        try (TlsTestClient first = connect(alice)) {
            // Answered, so counted: the next connection of alice is the one over the cap.
            assertEquals(200, get(first, "/echo").status(), "the first connection is within the cap");
            try (TlsTestClient extra = connect(alice)) {
                assertTrue(extra.closedByServer(), "a silent connection over the cap must not be held open");
            }
            assertEquals(200, get(first, "/echo").status(), "the one within the cap stays");
        }
        assertEquals(1, limited("connections"));
    }

    @Test
    void putsEveryRequestWithoutACertificateInOneBucket() throws Exception {
        start(ClientAuthMode.OPTIONAL, null, new RequestLimits(0, 0, 0, 1));
        try (TlsTestClient anonymous = connect(null); TlsTestClient stranger = connect(null);
                TlsTestClient identified = connect(alice)) {
            anonymous.send("GET /held HTTP/1.1\r\nHost: localhost\r\n\r\n");
            held.awaitRequest();
            assertEquals(429, get(stranger, "/echo").status(), "another anonymous client shares the bucket");
            assertEquals(200, get(identified, "/echo").status(), "a verified client is not in it");
            held.release();
            assertEquals(200, anonymous.readResponse().status());
        }
    }
}
