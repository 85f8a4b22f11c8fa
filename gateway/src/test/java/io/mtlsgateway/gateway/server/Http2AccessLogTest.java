package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtlsgateway.config.AccessLogConfig;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.FlatJson;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.H2TestClient.Reply;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The access log line of a request says which protocol carried it, and over h2 on which stream. */
class Http2AccessLogTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @Test
    void recordsTheProtocolAndTheStreamOfEachRequest() throws Exception {
        EchoUpstream echo = stack.keep(EchoUpstream.start(0));
        Path accessLog = stack.dir().resolve("logs/access.log");
        GatewayConfig base = GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("api", "/api", "echo")),
                List.of(GatewayFixture.upstream("echo", Duration.ofSeconds(30), echo.port())));
        GatewayServer gateway = stack.start(new GatewayConfig(base.source(), base.workers(), base.transport(),
                base.admin(), base.listeners(), base.routes(), base.upstreams(), base.drainTimeout(),
                new AccessLogConfig(true, Optional.of(accessLog))));
        IssuedCertificate client = stack.pki().client("app", "spiffe://test.example/ns/prod/sa/app");
        Reply first;
        Reply second;
        Reply notFound;
        try (H2TestClient h2 = H2TestClient.connect(stack.address(), stack.pki().server.root(), client)) {
            first = h2.get("/api/first");
            second = h2.get("/api/second");
            notFound = h2.get("/nowhere");
        }
        try (TlsTestClient http1 = stack.connect(client)) {
            assertEquals(200, http1.send("GET /api/old HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
        }
        gateway.close(); // flushes the log's writer thread
        Map<String, Map<String, Object>> byPath = new java.util.HashMap<>();
        for (String line : Files.readAllLines(accessLog)) {
            Map<String, Object> fields = FlatJson.parse(line);
            byPath.put((String) fields.get("path"), fields);
        }
        assertEquals(4, byPath.size(), byPath.toString());
        assertLogged(byPath.get("/api/first"), "h2", first.streamId(), 200);
        assertLogged(byPath.get("/api/second"), "h2", second.streamId(), 200);
        assertLogged(byPath.get("/nowhere"), "h2", notFound.streamId(), 404);
        assertLogged(byPath.get("/api/old"), "http1", 0, 200);
    }

    private static void assertLogged(Map<String, Object> line, String protocol, int streamId, int status) {
        assertEquals(protocol, line.get("protocol"), line.toString());
        assertEquals((double) streamId, line.get("streamId"), line.toString());
        assertEquals((double) status, line.get("status"), line.toString());
    }
}
