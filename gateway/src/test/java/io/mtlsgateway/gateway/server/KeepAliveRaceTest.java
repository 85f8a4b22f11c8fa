package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.config.LoadBalancing;
import io.mtlsgateway.config.OutlierDetectionConfig;
import io.mtlsgateway.config.UpstreamConfig;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.ScriptedUpstream;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient.Response;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The keep-alive race: an upstream closes a pooled connection it considers idle just as the gateway
 * sends a request on it. The GET is sent again, and the endpoint is not held responsible: it did
 * nothing wrong, so it must not be ejected (here one failure would eject it for an hour).
 */
class KeepAliveRaceTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @Test
    void aGetRetriedAfterTheUpstreamClosedAnIdleConnectionDoesNotCountAgainstIt() throws Exception {
        // Answers the first request of each connection, and closes the connection when a second comes.
        ScriptedUpstream closesIdle = stack.keep(ScriptedUpstream.start(c -> {
            if (c.readHead() != null) {
                c.write("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
            }
            if (c.readHead() != null) {
                c.close();
            }
        }));
        ScriptedUpstream other = stack.keep(ScriptedUpstream.start(c -> {
            while (c.readHead() != null) {
                c.write("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
            }
        }));
        UpstreamConfig upstream = new UpstreamConfig("app", GatewayFixture.endpoints(closesIdle.port(), other.port()),
                Duration.ofSeconds(5), Duration.ofSeconds(20), UpstreamConfig.DEFAULT_IDLE_TIMEOUT, 64,
                Optional.empty(), LoadBalancing.ROUND_ROBIN, 64,
                new OutlierDetectionConfig(1, Duration.ofHours(1), Duration.ofHours(1)));
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("all", "/", "app")), List.of(upstream), 1, HttpSettings.defaults()));
        try (TlsTestClient connection = stack.connect(stack.pki().client("race", null))) {
            assertEquals("a", get(connection, "/1").body(), "round robin starts at the first endpoint");
            assertEquals("b", get(connection, "/2").body());
            // The first endpoint's pooled connection: it closes instead of answering; sent again elsewhere.
            Response raced = get(connection, "/3");
            assertEquals(200, raced.status(), raced.body());
            assertEquals("b", raced.body());
            assertEquals("a", get(connection, "/4").body(), "the first endpoint is still in rotation");
        }
        assertEquals(2, closesIdle.connectionCount(), "a fresh connection served the fourth request");
    }

    private static Response get(TlsTestClient connection, String path) throws Exception {
        return connection.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse();
    }
}
