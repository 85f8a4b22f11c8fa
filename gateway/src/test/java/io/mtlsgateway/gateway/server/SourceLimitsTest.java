package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.config.LimitsConfig;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.config.PenaltyConfig;
import io.mtlsgateway.config.SourceLimits;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per-source limits over real sockets: refused connections never reach TLS. */
class SourceLimitsTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    TestPki pki;
    IssuedCertificate client;
    EchoUpstream upstream;
    GatewayServer gateway;

    @BeforeEach
    void setUp() throws Exception {
        pki = stack.pki();
        client = pki.client("app", null);
        upstream = stack.keep(EchoUpstream.start(0));
    }

    /** One event loop: connections are taken in accept order, so the test needs no timing. */
    private void start(SourceLimits source) throws Exception {
        GatewayConfig base = GatewayFixture.config(pki, ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("all", "/", "echo")),
                List.of(GatewayFixture.upstream("echo", Duration.ofSeconds(10), upstream.port())), 1,
                HttpSettings.defaults());
        ListenerConfig l = base.listeners().get(0);
        ListenerConfig limited = new ListenerConfig(l.name(), l.listen(), l.tls(), l.identityHeaders(), l.xfcc(),
                l.rfc9440(), l.http(), new LimitsConfig(Optional.of(source), Optional.empty(), Optional.empty(), 1000));
        gateway = stack.start(new GatewayConfig(base.source(), base.workers(), base.transport(), base.admin(),
                List.of(limited), base.routes(), base.upstreams(), base.drainTimeout(), base.accessLog()));
    }

    private InetSocketAddress address() {
        return gateway.address(GatewayFixture.LISTENER);
    }

    private double limited(String reason) {
        return gateway.metrics().registry().get("mtls.gateway.limited").tag("reason", reason).counter().count();
    }

    private double failedHandshakes() {
        return gateway.metrics().registry().get("mtls.gateway.handshakes").tag("outcome", "failure").counters()
                .stream().mapToDouble(Counter::count).sum();
    }

    private int status(TlsTestClient connection) throws IOException {
        return connection.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status();
    }

    @Test
    void refusesASourceWithTooManyHandshakesInProgressBeforeTls() throws Exception {
        start(new SourceLimits(0, 1, Optional.empty(), 32, 64));
        try (Socket silent = new Socket(address().getAddress(), address().getPort())) {
            // The silent connection holds the one handshake slot of 127.0.0.1.
            assertThrows(IOException.class, () -> TlsTestClient.connect(address(), pki.server.root(), client));
            assertEquals(1, limited("concurrent_handshakes"));
            assertEquals(0, failedHandshakes(), "the refused connection never started a handshake");
        }
    }

    @Test
    void boxesASourceThatKeepsFailingHandshakesEvenWhenItThenPresentsAGoodCertificate() throws Exception {
        start(new SourceLimits(0, 0, Optional.of(new PenaltyConfig(2, Duration.ofHours(1), Duration.ofHours(1))),
                32, 64));
        try (TlsTestClient good = TlsTestClient.connect(address(), pki.server.root(), client)) {
            assertEquals(200, status(good));
        }
        for (int i = 0; i < 2; i++) {
            try (TlsTestClient anonymous = TlsTestClient.connect(address(), pki.server.root(), null)) {
                // TLS 1.3: the client learns of the refusal on its first read.
                assertTrue(anonymous.closedByServer());
            } catch (IOException refusedInTheHandshake) {
                // TLS 1.2: during the handshake
            }
        }
        assertThrows(IOException.class, () -> TlsTestClient.connect(address(), pki.server.root(), client));
        assertEquals(1, limited("penalty_box"));
        assertEquals(2, failedHandshakes(), "only the two real failures reached TLS");
    }
}
