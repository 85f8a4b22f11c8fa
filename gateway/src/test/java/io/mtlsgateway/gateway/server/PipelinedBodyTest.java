package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.ConnectionReuse;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.config.LoadBalancing;
import io.mtlsgateway.config.OutlierDetectionConfig;
import io.mtlsgateway.config.UpstreamConfig;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.ScriptedUpstream;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A pipelined request with a body, served from a warm pool, reaches the upstream whole and at once. */
class PipelinedBodyTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    GatewayServer gateway;
    ScriptedUpstream upstream;

    @Test
    void flushesTheBodyOfAQueuedRequestTakenFromAWarmPool() throws Exception {
        CountDownLatch warming = new CountDownLatch(2);
        upstream = stack.keep(ScriptedUpstream.start(c -> {
            for (String head; (head = c.readHead()) != null; ) {
                String lower = head.toLowerCase(Locale.ROOT);
                int length = 0;
                int at = lower.indexOf("content-length: ");
                if (at >= 0) {
                    length = Integer.parseInt(lower.substring(at + 16, lower.indexOf('\r', at)).trim());
                }
                String body = new String(c.readBytes(length), StandardCharsets.ISO_8859_1);
                if (head.startsWith("GET /warm")) {
                    // Both warm-up requests are in flight at once: the pool ends up with two connections.
                    warming.countDown();
                    warming.await(20, TimeUnit.SECONDS);
                }
                String answer = "got:" + body;
                c.write("HTTP/1.1 200 OK\r\nContent-Length: " + answer.length() + "\r\n\r\n" + answer);
            }
        }));
        TestPki pki = stack.pki();
        IssuedCertificate client = pki.client("pipeliner", null);
        UpstreamConfig app = new UpstreamConfig("app", GatewayFixture.endpoints(upstream.port()),
                Duration.ofSeconds(5), Duration.ofSeconds(20), UpstreamConfig.DEFAULT_IDLE_TIMEOUT, 64,
                Optional.empty(), LoadBalancing.ROUND_ROBIN, 64, OutlierDetectionConfig.defaults(),
                ConnectionReuse.ALWAYS);
        gateway = stack.start(GatewayFixture.config(pki, ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("all", "/", "app")), List.of(app), 1, HttpSettings.defaults()));
        try (TlsTestClient one = connect(pki, client); TlsTestClient two = connect(pki, client)) {
            one.send("GET /warm HTTP/1.1\r\nHost: localhost\r\n\r\n");
            two.send("GET /warm HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals(200, one.readResponse().status());
            assertEquals(200, two.readResponse().status());
            assertEquals(2, upstream.connectionCount());

            one.send("GET /a HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "POST /b HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello");
            assertEquals("got:", one.readResponse().body());
            Response second = one.readResponse();
            assertEquals(200, second.status());
            assertEquals("got:hello", second.body());
        }
        assertTrue(upstream.connectionCount() <= 2, "served from the warm pool");
    }

    private TlsTestClient connect(TestPki pki, IssuedCertificate client) throws Exception {
        return TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER), pki.server.root(), client);
    }
}
