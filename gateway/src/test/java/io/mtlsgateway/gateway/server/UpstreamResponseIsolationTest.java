package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.ScriptedUpstream;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bytes an upstream sends past the end of a response must never be taken as the answer to the
 * next request that reuses the connection.
 */
class UpstreamResponseIsolationTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    GatewayServer gateway;
    ScriptedUpstream upstream;

    @Test
    void neverRelaysBytesAfterA204AsTheNextRequestsResponse() throws Exception {
        // A 204 followed by a forged response in the same packet, then honest answers.
        upstream = stack.keep(ScriptedUpstream.start(c -> {
            for (String head; (head = c.readHead()) != null; ) {
                if (head.startsWith("GET /a ")) {
                    c.write("HTTP/1.1 204 No Content\r\n\r\n"
                            + "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged");
                } else {
                    c.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nreal");
                }
            }
        }));
        TestPki pki = stack.pki();
        IssuedCertificate client = pki.client("alice", null);
        gateway = stack.start(GatewayFixture.config(pki, ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("all", "/", "app")),
                List.of(GatewayFixture.upstream("app", Duration.ofSeconds(10), upstream.port()))));
        try (TlsTestClient connection = TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER),
                pki.server.root(), client)) {
            // Pipelined: /b is dispatched the moment /a's response ends, on the same event loop.
            connection.send("GET /a HTTP/1.1\r\nHost: localhost\r\n\r\nGET /b HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals(204, connection.readResponse().status());
            TlsTestClient.Response second = connection.readResponse();
            assertEquals(200, second.status());
            assertEquals("real", second.body());
        }
    }
}
