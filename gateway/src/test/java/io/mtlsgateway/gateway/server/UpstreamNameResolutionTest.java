package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.HealthCheckConfig;
import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.config.UpstreamConfig;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An endpoint given by host name is looked up off the event loop: BlockHound (through
 * {@link GatewayStack}) fails the test if a connect, or a health check, looks it up on the loop.
 */
class UpstreamNameResolutionTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @Test
    void aHostNameEndpointIsResolvedOffTheEventLoop() throws Exception {
        EchoUpstream echo = stack.keep(EchoUpstream.start(0));
        UpstreamConfig byName = new UpstreamConfig("named", List.of(new HostPort("localhost", echo.port())),
                Duration.ofSeconds(5), Duration.ofSeconds(20), UpstreamConfig.DEFAULT_IDLE_TIMEOUT, 16,
                Optional.of(new HealthCheckConfig("/health", Duration.ofMillis(200), Duration.ofSeconds(2), 1, 1)));
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("all", "/", "named")), List.of(byName), 1, HttpSettings.defaults()));
        try (TlsTestClient connection = stack.connect(stack.pki().client("dns", null))) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, connection.send("GET /by-name/" + i + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                        .readResponse().status());
            }
        }
    }
}
