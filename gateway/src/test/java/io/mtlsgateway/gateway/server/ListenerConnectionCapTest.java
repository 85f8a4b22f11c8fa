package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.config.LimitsConfig;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code limits.maxConnections} over real sockets: with the listener's connections all taken, a
 * new one is closed before its handshake (whoever it is, a client with a valid certificate too),
 * counted, and the open ones are served as before.
 */
class ListenerConnectionCapTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @Test
    void aConnectionOverTheListenersCapIsClosedBeforeItsHandshake() throws Exception {
        EchoUpstream echo = stack.keep(EchoUpstream.start(0));
        IssuedCertificate alice = stack.pki().client("alice", null);
        IssuedCertificate bob = stack.pki().client("bob", null);
        GatewayConfig base = GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("echo", "/", "echo")),
                List.of(GatewayFixture.upstream("echo", Duration.ofSeconds(10), echo.port())), 2,
                HttpSettings.defaults());
        ListenerConfig l = base.listeners().get(0);
        ListenerConfig capped = new ListenerConfig(l.name(), l.listen(), l.tls(), l.identityHeaders(), l.xfcc(),
                l.rfc9440(), l.http(), new LimitsConfig(Optional.empty(), Optional.empty(), Optional.empty(),
                        LimitsConfig.DEFAULT_MAX_TRACKED, 2));
        GatewayServer gateway = stack.start(new GatewayConfig(base.source(), base.workers(), base.transport(),
                base.admin(), List.of(capped), base.routes(), base.upstreams(), base.drainTimeout(), base.accessLog()));
        try (TlsTestClient first = connect(gateway, alice); TlsTestClient second = connect(gateway, alice)) {
            assertEquals(200, get(first).status());
            assertEquals(200, get(second).status());
            assertThrows(IOException.class, () -> connect(gateway, bob).close(),
                    "a third connection, even of another client, must not be served");
            assertEquals(1.0, gateway.metrics().registry().get("mtls.gateway.limited")
                    .tag("reason", "max_connections").counter().count());
            assertEquals(200, get(first).status(), "the connections within the cap are served as before");
        }
    }

    private static TlsTestClient connect(GatewayServer gateway, IssuedCertificate client) throws Exception {
        return TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER), stack.pki().server.root(), client);
    }

    private static TlsTestClient.Response get(TlsTestClient connection) throws IOException {
        return connection.send("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse();
    }
}
