package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.AccessLogConfig;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.FlatJson;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.ScriptedUpstream;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An upstream that breaks mid-body: the access log says the client got a cut-off response. */
class TruncatedResponseLogTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    GatewayServer gateway;
    ScriptedUpstream upstream;

    @Test
    void logsAResponseCutOffAfterItsHeadAsTruncated() throws Exception {
        upstream = stack.keep(ScriptedUpstream.start(c -> {
            c.readHead();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nten bytes.");
            c.reset();
        }));
        TestPki pki = stack.pki();
        IssuedCertificate client = pki.client("app", null);
        Path accessLog = stack.dir().resolve("access.log");
        GatewayConfig base = GatewayFixture.config(pki, ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("all", "/", "app")),
                List.of(GatewayFixture.upstream("app", Duration.ofSeconds(10), upstream.port())));
        gateway = stack.start(new GatewayConfig(base.source(), base.workers(), base.transport(), base.admin(),
                base.listeners(), base.routes(), base.upstreams(), base.drainTimeout(),
                new AccessLogConfig(true, Optional.of(accessLog))));
        try (TlsTestClient connection = TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER),
                pki.server.root(), client)) {
            assertEquals(200, connection.send("GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n").readHead().status());
            assertEquals("ten bytes.", connection.readBytes(10));
            assertTrue(connection.closedByServer(), "the client is cut off, not sent a second status line");
        }
        gateway.close(); // flushes the access log
        List<String> lines = Files.readAllLines(accessLog);
        assertEquals(1, lines.size(), String.join("\n", lines));
        Map<String, Object> line = FlatJson.parse(lines.get(0));
        assertEquals(200.0, line.get("status"), "the status line the client did get");
        assertEquals(Boolean.TRUE, line.get("truncated"));
        assertEquals("upstream_reset", line.get("upstreamError"));
    }
}
