package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mtlsgateway.config.AccessLogConfig;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.config.RouteMatch;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.FlatJson;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bearer token sent in the query string ({@code access_token}, RFC 6750 section 2.3) never
 * reaches the access log, however its name is spelled; the rest of the target is logged as received.
 */
class AccessLogTokenRedactionTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    private static final String TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhcHAifQ.c2VjcmV0LXNpZ25hdHVyZQ";

    @Test
    void aQueryTokenIsReplacedInTheLoggedPath() throws Exception {
        EchoUpstream echo = stack.keep(EchoUpstream.start(0));
        IssuedCertificate client = stack.pki().client("app", "spiffe://test.example/ns/prod/sa/app");
        Path accessLog = stack.dir().resolve("logs/access.log");
        GatewayConfig base = GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE, List.of(
                new RouteConfig("api", new RouteMatch(Optional.empty(), Optional.of("/api"), Map.of()), "echo",
                        List.of(), Optional.empty())),
                List.of(GatewayFixture.upstream("echo", Duration.ofSeconds(30), echo.port())));
        GatewayServer gateway = stack.start(new GatewayConfig(base.source(), base.workers(), base.transport(),
                base.admin(), base.listeners(), base.routes(), base.upstreams(), base.drainTimeout(),
                new AccessLogConfig(true, Optional.of(accessLog))));
        List<String> targets = List.of(
                "/api/a?x=1&access_token=" + TOKEN + "&y=2",
                "/api/b?Access_Token=" + TOKEN,
                "/api/c?access%5Ftoken=" + TOKEN + "&z");
        try (TlsTestClient connection = TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER),
                stack.pki().server.root(), client)) {
            for (String target : targets) {
                assertEquals(200, connection.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                        .readResponse().status());
            }
        }
        gateway.close(); // flushes the access log's writer
        List<String> lines = Files.readAllLines(accessLog);
        assertEquals(3, lines.size(), String.join("\n", lines));
        for (String line : lines) {
            assertFalse(line.contains("c2VjcmV0"), line);
        }
        List<Object> paths = lines.stream().map(FlatJson::parse).map(l -> l.get("path")).toList();
        assertEquals(List.of("/api/a?x=1&access_token=REDACTED&y=2", "/api/b?Access_Token=REDACTED",
                "/api/c?access%5Ftoken=REDACTED&z"), paths);
    }
}
