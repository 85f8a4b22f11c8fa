package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.ScriptedUpstream;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A reload retires the upstream pools; a connection busy at that moment must not idle on afterwards. */
class RetiredPoolTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    GatewayServer gateway;
    ScriptedUpstream upstream;

    @Test
    void closesAConnectionGivenBackToAPoolThatAReloadRetired() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch closedByGateway = new CountDownLatch(1);
        upstream = stack.keep(ScriptedUpstream.start(c -> {
            c.readHead();
            arrived.countDown();
            release.await();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); // keep-alive: fit for reuse
            if (c.readHead() == null) {
                closedByGateway.countDown();
            }
        }));
        TestPki pki = stack.pki();
        IssuedCertificate client = pki.client("app", null);
        Path routeFile = stack.dir().resolve("routes.yaml");
        Files.writeString(routeFile, RouteFile.text(pki, RouteFile.route("api", "/"), upstream.port(), ""));
        gateway = stack.start(ConfigLoader.load(routeFile));
        try (TlsTestClient connection = TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER),
                pki.server.root(), client)) {
            connection.send("GET /held HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertTrue(arrived.await(20, TimeUnit.SECONDS));
            assertTrue(gateway.reload("test").get(30, TimeUnit.SECONDS).success());
            release.countDown();
            assertEquals(200, connection.readResponse().status());
            // Well before the upstream idle timeout (60 s), which is what kept such connections open.
            assertTrue(closedByGateway.await(20, TimeUnit.SECONDS), "the retired pool closed the connection");
        }
        assertEquals(1, upstream.connectionCount());
    }
}
