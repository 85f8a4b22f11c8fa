package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.config.RouteMatch;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.CapturedLogs;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.HeldUpstream;
import io.mtlsgateway.gateway.testing.ScriptedUpstream;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What SIGTERM does (the signal handler calls {@link GatewayServer#drain()}, as these tests do). */
class GracefulDrainTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    TestPki pki;
    EchoUpstream echo;
    HeldUpstream held;
    /** Sends the first response's head, then its body when {@link #finishBody} opens; "ok" to the rest. */
    ScriptedUpstream split;
    final CountDownLatch finishBody = new CountDownLatch(1);
    GatewayServer gateway;
    IssuedCertificate client;

    @BeforeEach
    void start() throws Exception {
        pki = stack.pki();
        echo = stack.keep(EchoUpstream.start(0));
        held = stack.keep(new HeldUpstream());
        AtomicInteger served = new AtomicInteger();
        split = stack.keep(ScriptedUpstream.start(c -> {
            while (true) {
                c.readHead();
                if (served.getAndIncrement() == 0) {
                    c.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n");
                    finishBody.await();
                    c.write("done");
                } else {
                    c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                }
            }
        }));
        client = pki.client("app", null);
    }

    private void startGateway(Duration drainTimeout) throws Exception {
        GatewayConfig base = GatewayFixture.config(pki, ClientAuthMode.REQUIRE, List.of(
                new RouteConfig("slow", new RouteMatch(Optional.empty(), Optional.of("/slow"), Map.of()), "held",
                        List.of(), Optional.empty()),
                new RouteConfig("api", new RouteMatch(Optional.empty(), Optional.of("/api"), Map.of()), "echo",
                        List.of(), Optional.empty()),
                GatewayFixture.route("split", "/split", "split")), List.of(
                GatewayFixture.upstream("echo", Duration.ofSeconds(30), echo.port()),
                GatewayFixture.upstream("split", Duration.ofSeconds(60), split.port()),
                GatewayFixture.upstream("held", Duration.ofSeconds(60), held.port())));
        gateway = stack.start(new GatewayConfig(base.source(), base.workers(), base.transport(), base.admin(),
                base.listeners(), base.routes(), base.upstreams(), drainTimeout, base.accessLog()));
    }

    @AfterEach
    void release() {
        // The scripted upstream's first answer waits for this; the stack closes everything after.
        finishBody.countDown();
    }

    private TlsTestClient connect() throws Exception {
        return TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER), pki.server.root(), client);
    }

    @Test
    void answersInFlightRequestsClosesIdleConnectionsAndTurnsNotReady() throws Exception {
        startGateway(Duration.ofSeconds(30));
        AdminClient admin = new AdminClient(gateway.adminAddress());
        assertEquals(200, admin.status("/readyz"));
        try (TlsTestClient busy = connect(); TlsTestClient idle = connect()) {
            assertEquals(200, idle.send("GET /api/a HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
            busy.send("GET /slow/b HTTP/1.1\r\nHost: localhost\r\n\r\n");
            held.awaitRequest();

            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(gateway::drain);
            assertTrue(idle.closedByServer(), "an idle keep-alive connection is closed (after a short grace)");
            assertEquals(503, admin.status("/readyz"));
            assertEquals(200, admin.status("/healthz"));
            assertFalse(drained.isDone(), "a request is still in flight");

            held.release();
            Response response = busy.readResponse();
            assertEquals(200, response.status());
            assertEquals("held", response.body());
            assertEquals("close", response.headers().get("connection"));
            assertTrue(drained.get(60, TimeUnit.SECONDS), "every in-flight request finished");
        }
        assertThrows(Exception.class, this::connect, "no longer accepting");
    }

    @Test
    void answersTheNextRequestWhenTheResponseHadPromisedKeepAliveBeforeTheDrain() throws Exception {
        startGateway(Duration.ofSeconds(30));
        AdminClient admin = new AdminClient(gateway.adminAddress());
        try (TlsTestClient connection = connect()) {
            connection.send("GET /split/a HTTP/1.1\r\nHost: localhost\r\n\r\n");
            Response head = connection.readHead();
            assertEquals(200, head.status());
            assertNull(head.headers().get("connection"), "sent before the drain: keep-alive");

            CompletableFuture<Boolean> drained;
            try (CapturedLogs server = CapturedLogs.of(GatewayServer.class)) {
                drained = CompletableFuture.supplyAsync(gateway::drain);
                // The drain runs on another thread: /readyz says 503 once it has begun, not before.
                assertTrue(server.awaitLine("draining: ", 30), "the drain began");
            }
            assertEquals(503, admin.status("/readyz"));
            finishBody.countDown();
            assertEquals("done", connection.readBytes(4));
            // The client saw a keep-alive response, so it may send its next request right away.
            Response next = connection.send("GET /split/b HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse();
            assertEquals(200, next.status());
            assertEquals("ok", next.body());
            assertEquals("close", next.headers().get("connection"));
            assertTrue(connection.closedByServer());
            assertTrue(drained.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void isNoLongerReadyWhenItLogsThatTheDrainBegan() throws Exception {
        startGateway(Duration.ofSeconds(30));
        assertTrue(gateway.ready());
        // Read on the draining thread at the moment it logs: whoever waits for this line (an operator,
        // the test above) must find /readyz at 503, never a drain that has not begun yet.
        AtomicReference<Boolean> readyWhenLogged = new AtomicReference<>();
        Handler probe = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getMessage() != null && record.getMessage().startsWith("draining: ")) {
                    readyWhenLogged.compareAndSet(null, gateway.ready());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger logger = Logger.getLogger(GatewayServer.class.getName());
        logger.addHandler(probe);
        try {
            assertTrue(gateway.drain());
        } finally {
            logger.removeHandler(probe);
        }
        assertEquals(Boolean.FALSE, readyWhenLogged.get());
    }

    @Test
    void closesWhatIsStillBusyWhenTheDrainTimeoutPasses() throws Exception {
        startGateway(Duration.ofMillis(200));
        try (TlsTestClient busy = connect()) {
            busy.send("GET /slow/b HTTP/1.1\r\nHost: localhost\r\n\r\n");
            held.awaitRequest();
            assertFalse(gateway.drain());
            assertTrue(busy.closedByServer());
        }
    }
}
