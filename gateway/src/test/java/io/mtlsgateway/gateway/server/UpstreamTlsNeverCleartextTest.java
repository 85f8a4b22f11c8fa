package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.UpstreamPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upstream with a {@code tls} block is only ever spoken to in TLS, also by a connection still
 * on the previous config after a reload renamed that upstream: the retired upstream's TLS is
 * gone, and a new connection for it must fail rather than carry the request in cleartext.
 */
class UpstreamTlsNeverCleartextTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @TempDir
    Path dir;

    /** Records the first byte of every connection (0x16 is a TLS handshake record), then hangs up. */
    private static final class FirstBytes implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final List<Integer> seen = new CopyOnWriteArrayList<>();

        FirstBytes() throws IOException {
            Thread thread = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket socket = server.accept()) {
                        seen.add(socket.getInputStream().read());
                    } catch (IOException closed) {
                        // closed at the end of the test
                    }
                }
            }, "first-bytes");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static String routeFile(TestPki pki, UpstreamPki up, String upstream, int port) {
        return "version: 1\nworkers: 1\nadmin:\n  listen: 127.0.0.1:0\n"
                + "listeners:\n  - name: edge\n    listen: 127.0.0.1:0\n    tls:\n"
                + "      certificate: " + pki.serverCertificate + "\n      privateKey: " + pki.serverKey + "\n"
                + "      clientCa: " + pki.clientCaFile + "\n"
                + "routes:\n  - name: api\n    upstream: " + upstream + "\n"
                + "upstreams:\n  " + upstream + ":\n    endpoints: [127.0.0.1:" + port + "]\n" + up.tlsBlock("");
    }

    @Test
    void aConnectionOnTheOldConfigNeverFallsBackToCleartext() throws Exception {
        TestPki pki = new TestPki(dir);
        UpstreamPki up = new UpstreamPki(dir);
        IssuedCertificate client = pki.client("app", null);
        try (FirstBytes upstream = new FirstBytes()) {
            Path file = dir.resolve("routes.yaml");
            Files.writeString(file, routeFile(pki, up, "ledger", upstream.server.getLocalPort()));
            GatewayServer gateway = stack.start(ConfigLoader.load(file), GatewayServer.FileWatching.OFF);
            try (TlsTestClient connection = TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER),
                    pki.server.root(), client)) {
                // The upstream hangs up on the handshake: 502, and the connection stays open.
                assertEquals(502, connection.send("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
                Files.writeString(file, routeFile(pki, up, "ledger-renamed", upstream.server.getLocalPort()));
                ReloadOutcome outcome = gateway.reload("test").get(30, TimeUnit.SECONDS);
                assertTrue(outcome.success(), outcome.problems().toString());
                assertEquals(502, connection.send("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
            }
            try (TlsTestClient connection = TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER),
                    pki.server.root(), client)) {
                // A connection on the new config: its request reaching the upstream proves the earlier ones did.
                assertEquals(502, connection.send("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
            }
            assertTrue(upstream.seen.size() >= 2, upstream.seen.toString());
            assertTrue(upstream.seen.stream().allMatch(b -> b == 0x16), "a request was sent in cleartext: first bytes "
                    + upstream.seen);
        }
    }
}
