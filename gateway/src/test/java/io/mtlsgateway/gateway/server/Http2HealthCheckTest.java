package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.HealthCheckConfig;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.config.UpstreamConfig;
import io.mtlsgateway.config.UpstreamProtocol;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.H2Upstream;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Active health checks of an h2c upstream speak HTTP/2: an HTTP/1.1 GET would be refused by it. */
class Http2HealthCheckTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @Test
    void checksAnH2cUpstreamOverHttp2() throws Exception {
        H2Upstream upstream = stack.keep(H2Upstream.cleartext(100));
        CompletableFuture<H2Upstream.Request> check = new CompletableFuture<>();
        upstream.onRequest(r -> {
            if (r.headers().path().toString().equals("/health")) {
                check.complete(r);
            }
        });
        UpstreamConfig config = new UpstreamConfig("checked", GatewayFixture.endpoints(upstream.port()),
                Duration.ofSeconds(5), Duration.ofSeconds(20), UpstreamConfig.DEFAULT_IDLE_TIMEOUT, 16,
                Optional.of(new HealthCheckConfig("/health", Duration.ofMillis(500), Duration.ofSeconds(2), 1, 1)))
                .withProtocol(UpstreamProtocol.H2C);
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("all", "/", "checked")), List.of(config), 1, HttpSettings.defaults()));
        Map<String, String> head = H2Upstream.flat(check.get(20, TimeUnit.SECONDS).headers());
        assertEquals("GET", head.get(":method"));
        assertEquals("mtls-gateway-health-check", head.get("user-agent"));
        assertFalse(head.containsKey("connection"), head.toString());
        try (TlsTestClient connection = stack.connect(stack.pki().client("checked", null))) {
            assertEquals(200, connection.send("GET /after-check HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse()
                    .status());
        }
    }
}
