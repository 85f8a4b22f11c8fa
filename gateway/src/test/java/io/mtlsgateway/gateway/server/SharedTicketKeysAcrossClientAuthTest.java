package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.ResumingClient;
import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The same {@code sessionTicketKeys} on a listener that asks for no client certificate and on one
 * that requires it (a fleet's one key file, used everywhere): a session made without a certificate
 * must never resume where a certificate is required, or that client is served there without one.
 * It gets a full handshake, its certificate is asked for and verified.
 */
class SharedTicketKeysAcrossClientAuthTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @Test
    void aSessionMadeWithoutACertificateDoesNotResumeWhereOneIsRequired() throws Exception {
        TestPki pki = stack.pki();
        EchoUpstream upstream = stack.keep(EchoUpstream.start(0));
        Path keys = stack.dir().resolve("ticket.key");
        byte[] key = new byte[48];
        new SecureRandom().nextBytes(key);
        Files.write(keys, key);
        GatewayServer open = stack.keep(GatewayServer.start(
                ConfigLoader.load(routeFile(pki, upstream, keys, "none")), GatewayServer.FileWatching.OFF));
        GatewayServer strict = stack.keep(GatewayServer.start(
                ConfigLoader.load(routeFile(pki, upstream, keys, "require")), GatewayServer.FileWatching.OFF));

        try (ResumingClient client = new ResumingClient(pki.server.root(), pki.client("app", null))) {
            assertFalse(client.get(open.address(GatewayFixture.LISTENER)), "first visit: a full handshake");
            assertFalse(client.get(strict.address(GatewayFixture.LISTENER)),
                    "a session without a client certificate resumed on a listener that requires one");
        }
    }

    private static Path routeFile(TestPki pki, EchoUpstream upstream, Path keys, String clientAuth) throws Exception {
        String clientCa = "      clientCa: " + pki.clientCaFile + "\n";
        String text = RouteFile.text(pki, RouteFile.route("all", "/"), upstream.port(), "")
                .replace(clientCa, clientCa + "      clientAuth: " + clientAuth + "\n"
                        + "      sessionTicketKeys: [" + keys + "]\n");
        if (!text.contains("sessionTicketKeys")) {
            throw new IllegalStateException("the route file template changed: no place for sessionTicketKeys");
        }
        Path file = stack.dir().resolve("routes-" + clientAuth + ".yaml");
        Files.writeString(file, text);
        return file;
    }
}
