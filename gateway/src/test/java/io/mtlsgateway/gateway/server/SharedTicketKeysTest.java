package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.ResumingClient;
import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two gateways behind one name share {@code sessionTicketKeys} files: a session from one resumes on
 * the other; rotating (a new first key, the old one kept for decryption) keeps sessions resuming;
 * once the old key is gone, a ticket made with it gets a full handshake.
 */
class SharedTicketKeysTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    private static final SecureRandom RANDOM = new SecureRandom();

    Path dir;

    TestPki pki;
    EchoUpstream upstream;
    GatewayServer first;
    GatewayServer second;
    Path current;
    Path previous;

    @BeforeEach
    void start() throws Exception {
        dir = stack.dir();
        pki = stack.pki();
        upstream = stack.keep(EchoUpstream.start(0));
        current = dir.resolve("ticket-current.key");
        previous = dir.resolve("ticket-previous.key");
        writeKey(current, newKey());
        writeKey(previous, newKey());
        first = stack.keep(GatewayServer.start(ConfigLoader.load(routeFile("first.yaml")), GatewayServer.FileWatching.OFF));
        second = stack.keep(GatewayServer.start(ConfigLoader.load(routeFile("second.yaml")),
                GatewayServer.FileWatching.OFF));
    }

    private Path routeFile(String name) throws Exception {
        String text = RouteFile.text(pki, RouteFile.route("all", "/"), upstream.port(), "")
                .replace("      clientCa: " + pki.clientCaFile + "\n", "      clientCa: " + pki.clientCaFile + "\n"
                        + "      sessionTicketKeys: [" + current + ", " + previous + "]\n");
        if (!text.contains("sessionTicketKeys")) {
            throw new IllegalStateException("the route file template changed: no place for sessionTicketKeys");
        }
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    @Test
    void aSessionFromOneGatewayResumesOnTheOtherAcrossARotationUntilItsKeyIsRemoved() throws Exception {
        try (ResumingClient roaming = client(); ResumingClient beforeRotation = client();
                ResumingClient beforeRemoval = client()) {
            rotateAndRemove(roaming, beforeRotation, beforeRemoval);
        }
    }

    private void rotateAndRemove(ResumingClient roaming, ResumingClient beforeRotation, ResumingClient beforeRemoval)
            throws Exception {        assertFalse(roaming.get(address(first)), "first visit: a full handshake");
        assertTrue(roaming.get(address(second)), "the other gateway decrypts the first one's ticket");
        assertFalse(beforeRotation.get(address(first)));
        assertFalse(beforeRemoval.get(address(first)));

        // Rotation: a new key encrypts, the old one moves to second place and still decrypts.
        byte[] oldKey = Files.readAllBytes(current);
        writeKey(previous, oldKey);
        writeKey(current, newKey());
        reloadBoth();
        assertTrue(beforeRotation.get(address(second)), "a ticket of the old key still resumes after rotation");
        assertTrue(roaming.get(address(first)));

        // The old key leaves the list: its tickets no longer decrypt anywhere.
        writeKey(previous, newKey());
        reloadBoth();
        assertFalse(beforeRemoval.get(address(second)), "a ticket of a removed key: full handshake");
        // A fresh client: beforeRemoval may still hold the second ticket of its first visit (old key).
        try (ResumingClient fresh = client()) {
            assertFalse(fresh.get(address(second)));
            assertTrue(fresh.get(address(first)), "the keys now in use still resume across gateways");
        }
    }

    @Test
    void aKeyFileThatIsNotAKeyIsRefusedByNameAndTheKeysInUseKeepServing() throws Exception {
        try (ResumingClient returning = client()) {
            assertFalse(returning.get(address(first)));
            Files.writeString(previous, "not a key\n");

            ReloadOutcome outcome = first.reload("test").get(30, TimeUnit.SECONDS);

            assertEquals(List.of(previous + ": line 1: not base64 (expected: 48 raw bytes, or one base64 line"
                    + " of 48 bytes per key)"), outcome.problems());
            assertTrue(returning.get(address(first)), "the previous keys still serve");
        }
    }

    private ResumingClient client() throws Exception {
        return new ResumingClient(pki.server.root(), pki.client("app", null));
    }

    private static java.net.InetSocketAddress address(GatewayServer gateway) {
        return gateway.address(GatewayFixture.LISTENER);
    }

    private void reloadBoth() throws Exception {
        assertTrue(first.reload("test").get(30, TimeUnit.SECONDS).success());
        assertTrue(second.reload("test").get(30, TimeUnit.SECONDS).success());
    }

    private static byte[] newKey() {
        byte[] key = new byte[48];
        RANDOM.nextBytes(key);
        return key;
    }

    /** Replaces the file atomically, as a secret volume or a careful operator does. */
    private static void writeKey(Path file, byte[] key) throws Exception {
        Path tmp = Files.createTempFile(file.getParent(), ".tmp", ".key");
        Files.write(tmp, key);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
