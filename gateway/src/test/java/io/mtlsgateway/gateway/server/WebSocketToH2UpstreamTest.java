package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.AccessLogConfig;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.UpstreamProtocol;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.FlatJson;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.H2Upstream;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A WebSocket upgrade (HTTP/1.1 {@code Upgrade: websocket}) routed to an {@code h2c} upstream is
 * refused by the gateway with 501 {@code upgrade_not_supported}, reaching no upstream, counted
 * and logged like the gateway's other answers; the client connection serves on.
 */
class WebSocketToH2UpstreamTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    private static final String UPGRADE = "GET /ws/chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    @Test
    void aWebSocketUpgradeToAnH2cUpstreamIsRefusedWithoutReachingIt() throws Exception {
        H2Upstream upstream = stack.keep(H2Upstream.cleartext(100));
        Path accessLog = stack.dir().resolve("logs/ws-access.log");
        GatewayConfig base = GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("ws", "/ws", "grpc")),
                List.of(GatewayFixture.upstream("grpc", Duration.ofSeconds(20), upstream.port())
                        .withProtocol(UpstreamProtocol.H2C)));
        GatewayServer gateway = stack.start(new GatewayConfig(base.source(), base.workers(), base.transport(),
                base.admin(), base.listeners(), base.routes(), base.upstreams(), base.drainTimeout(),
                new AccessLogConfig(true, Optional.of(accessLog))));
        IssuedCertificate client = stack.pki().client("ws", "spiffe://test.example/ns/prod/sa/ws");
        try (TlsTestClient connection = stack.connect(client)) {
            Response refused = connection.send(UPGRADE).readResponse();
            assertEquals(501, refused.status());
            assertTrue(refused.body().contains("\"upgrade_not_supported\""), refused.body());
            assertEquals(null, refused.headers().get("upgrade"), "no switch is offered");
            Response plain = connection.send("GET /ws/plain HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse();
            assertEquals(200, plain.status(), "the connection serves on: " + plain.body());
        }
        assertEquals(List.of("/ws/plain"), upstream.requests().stream().map(r -> r.headers().path().toString())
                .toList(), "the upgrade never reached the upstream");
        String scrape = new AdminClient(gateway.adminAddress()).scrape();
        assertEquals(1.0, AdminClient.value(scrape, "mtls_gateway_requests_total", "route", "ws", "code", "501",
                "protocol", "http1"), scrape);
        gateway.close(); // flushes the access log's writer
        Map<String, Object> line = Files.readAllLines(accessLog).stream().map(FlatJson::parse)
                .filter(fields -> "/ws/chat".equals(fields.get("path"))).findFirst().orElseThrow();
        assertEquals(501.0, line.get("status"), line.toString());
        assertEquals("ws", line.get("route"), line.toString());
        assertEquals("http1", line.get("protocol"), line.toString());
    }
}
