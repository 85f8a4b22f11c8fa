package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.gateway.pki.CrlIssuer;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.ScriptedUpstream;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A WebSocket-style tunnel ends when its client is revoked, and does not hold up a drain. */
class TunnelLifecycleTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    TestPki pki;
    IssuedCertificate client;
    ScriptedUpstream upstream;
    GatewayServer gateway;
    final CountDownLatch upstreamClosed = new CountDownLatch(1);

    @BeforeEach
    void setUp() throws Exception {
        pki = stack.pki();
        client = pki.client("socket", null);
        upstream = stack.keep(ScriptedUpstream.start(c -> {
            c.readHead();
            c.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            byte[] buffer = new byte[256];
            for (int n; (n = c.in().read(buffer)) > 0; ) {
                c.write(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
            upstreamClosed.countDown();
        }));
    }

    /** Opens a tunnel and checks that bytes go through it. */
    private TlsTestClient tunnel() throws Exception {
        TlsTestClient connection = TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER), pki.server.root(),
                client);
        connection.send("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        assertEquals(101, connection.readHead().status());
        connection.send("ping");
        assertEquals("ping", connection.readBytes(4));
        return connection;
    }

    private double tunnelsClosed(String reason) {
        return gateway.metrics().registry().get("mtls.gateway.tunnels.closed").tag("reason", reason).counter().count();
    }

    @Test
    void closesBothSidesOfATunnelAtOnceWhenAReloadRevokesItsClient() throws Exception {
        Path routeFile = stack.dir().resolve("routes.yaml");
        Path crl = stack.dir().resolve("clients.crl");
        String routes = RouteFile.text(pki, RouteFile.route("ws", "/"), upstream.port(), "")
                .replace("      clientCa: " + pki.clientCaFile + "\n",
                        "      clientCa: " + pki.clientCaFile + "\n      crl: [" + crl + "]\n");
        writeCrl(crl, List.of());
        Files.writeString(routeFile, routes);
        gateway = stack.start(ConfigLoader.load(routeFile));
        try (TlsTestClient connection = tunnel()) {
            writeCrl(crl, List.of(client.certificate().getSerialNumber()));
            assertTrue(gateway.reload("test").get(30, TimeUnit.SECONDS).success());
            assertTrue(connection.closedByServer(), "the revoked client's tunnel is closed");
        }
        assertTrue(upstreamClosed.await(20, TimeUnit.SECONDS), "and so is the upstream side");
        assertEquals(1, tunnelsClosed("untrusted"));
    }

    @Test
    void drainClosesTunnelsOnceNothingElseIsLeftInsteadOfWaitingOutTheTimeout() throws Exception {
        GatewayConfig base = GatewayFixture.config(pki, ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("ws", "/", "app")),
                List.of(GatewayFixture.upstream("app", Duration.ofSeconds(10), upstream.port())));
        gateway = stack.start(new GatewayConfig(base.source(), base.workers(), base.transport(), base.admin(),
                base.listeners(), base.routes(), base.upstreams(), Duration.ofMinutes(2), base.accessLog()));
        try (TlsTestClient connection = tunnel()) {
            assertTrue(gateway.drain(), "drained before the two-minute timeout");
            assertTrue(connection.closedByServer());
        }
        assertTrue(upstreamClosed.await(20, TimeUnit.SECONDS));
        assertEquals(1, tunnelsClosed("drain"));
    }

    private void writeCrl(Path crl, List<java.math.BigInteger> serials) throws Exception {
        Instant now = Instant.now();
        PemFiles.write(crl, CrlIssuer.issue(pki.clientCa, serials, now, now.plus(Duration.ofDays(7))));
    }
}
