package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.ScriptedUpstream;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient.Response;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A client that starts an upload and stops sending cannot hold an upstream connection. */
class SlowUploadTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    GatewayServer gateway;
    ScriptedUpstream upstream;
    TestPki pki;
    IssuedCertificate client;

    /** A gateway whose request bodies may pause for 1 s at most. */
    private void start() throws Exception {
        pki = stack.pki();
        client = pki.client("slow", null);
        HttpSettings http = new HttpSettings(100, Duration.ofSeconds(10), Duration.ofSeconds(60), false,
                Duration.ofSeconds(1), 0);
        gateway = stack.start(GatewayFixture.config(pki, ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("all", "/", "app")),
                List.of(GatewayFixture.upstream("app", Duration.ofSeconds(30), upstream.port())), 1, http));
    }

    @Test
    void answers408AndFreesTheUpstreamConnectionWhenTheBodyStalls() throws Exception {
        CountDownLatch bodyStarted = new CountDownLatch(1);
        CountDownLatch upstreamClosed = new CountDownLatch(1);
        upstream = stack.keep(ScriptedUpstream.start(c -> {
            c.readHead();
            c.readBytes(1);
            bodyStarted.countDown();
            if (c.in().read() < 0) {
                upstreamClosed.countDown();
            }
        }));
        start();
        try (TlsTestClient connection = TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER),
                pki.server.root(), client)) {
            connection.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\nx");
            assertTrue(bodyStarted.await(20, TimeUnit.SECONDS));
            Response response = connection.readResponse();
            assertEquals(408, response.status());
            assertEquals("close", response.headers().get("connection"));
            assertTrue(response.body().contains("body_read_timeout"), response.body());
            assertTrue(connection.closedByServer());
        }
        assertTrue(upstreamClosed.await(20, TimeUnit.SECONDS), "the upstream connection was let go");
        assertEquals(1.0, gateway.metrics().registry().get("mtls.gateway.requests").tag("code", "408").counter()
                .count(), "the request is counted (and logged) as the 408 it got");
    }

    @Test
    void cutsOffAResponseAlreadyStartedWhenTheBodyStalls() throws Exception {
        CountDownLatch upstreamClosed = new CountDownLatch(1);
        upstream = stack.keep(ScriptedUpstream.start(c -> {
            c.readHead();
            c.readBytes(1);
            // An upstream that answers before the whole body is in (as some do with a 413).
            c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nearly\r\n");
            if (c.in().read() < 0) {
                upstreamClosed.countDown();
            }
        }));
        start();
        try (TlsTestClient connection = TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER),
                pki.server.root(), client)) {
            connection.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\nx");
            assertEquals(200, connection.readHead().status());
            assertEquals("5\r\nearly\r\n", connection.readBytes(10));
            assertTrue(connection.closedByServer(), "cut off: no second status line after the first");
        }
        assertTrue(upstreamClosed.await(20, TimeUnit.SECONDS));
    }
}
