package io.mtlsgateway.gateway.blackbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.testing.ResumingClient;
import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway processes (the shaded jar, run twice, as two replicas behind a load balancer) read the
 * same {@code sessionTicketKeys} files. A returning client (BoringSSL, keeping its TLS 1.3 tickets
 * under one name for both, as behind one address) resumes on the process that did not issue its
 * ticket; after a rotation (a new first key, the old one second) an old ticket still resumes; once the
 * old key is gone from the files its ticket gets a full handshake. Resumption is judged by the client:
 * a resumed handshake is one in which it did not have to check the server's certificate.
 */
class SharedTicketKeysAcrossProcessesIT {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The listener's address in the start-up line: {@code listening on [/127.0.0.1:PORT]}. */
    private static final Pattern LISTENING = Pattern.compile("listening on \\[/?127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    TestPki pki;
    EchoUpstream upstream;
    Path current;
    Path previous;
    GatewayProcess first;
    GatewayProcess second;
    InetSocketAddress firstAddress;
    InetSocketAddress secondAddress;

    @BeforeEach
    void start() throws Exception {
        pki = new TestPki(dir);
        upstream = EchoUpstream.start(0);
        current = dir.resolve("ticket-current.key");
        previous = dir.resolve("ticket-previous.key");
        writeKey(current, newKey());
        writeKey(previous, newKey());
        first = GatewayProcess.start("run", "--config", routeFile("first.yaml").toString());
        second = GatewayProcess.start("run", "--config", routeFile("second.yaml").toString());
        firstAddress = listening(first);
        secondAddress = listening(second);
    }

    @AfterEach
    void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {first, second, upstream}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void aSessionFromOneProcessResumesOnTheOtherAcrossARotationUntilItsKeyIsRemoved() throws Exception {
        try (ResumingClient roaming = client(); ResumingClient beforeRotation = client();
                ResumingClient beforeRemoval = client()) {
            assertFalse(roaming.get(firstAddress), "first visit: a full handshake");
            assertTrue(roaming.get(secondAddress), "the other process decrypts the first one's ticket");
            assertFalse(beforeRotation.get(firstAddress), "a new client: a full handshake");
            assertFalse(beforeRemoval.get(firstAddress), "a new client: a full handshake");

            // Rotation: a new key encrypts, the old one moves to second place and still decrypts.
            byte[] oldKey = Files.readAllBytes(current);
            writeKey(previous, oldKey);
            writeKey(current, newKey());
            reloadBoth();
            assertTrue(beforeRotation.get(secondAddress), "a ticket of the old key still resumes after rotation");
            assertTrue(roaming.get(firstAddress), "and on the process that issued it");

            // The old key leaves the files: its tickets no longer decrypt in either process.
            writeKey(previous, newKey());
            reloadBoth();
            assertFalse(beforeRemoval.get(secondAddress), "a ticket of a removed key: a full handshake");
            try (ResumingClient fresh = client()) {
                assertFalse(fresh.get(secondAddress), "a new client: a full handshake");
                assertTrue(fresh.get(firstAddress), "the keys now in use still resume across the processes");
            }
        }
        assertTrue(first.alive() && second.alive());
    }

    private Path routeFile(String name) throws Exception {
        String anchor = "      clientCa: " + pki.clientCaFile + "\n";
        String text = RouteFile.text(pki, RouteFile.route("all", "/"), upstream.port(), "");
        assertTrue(text.contains(anchor), "the route file template changed: no place for sessionTicketKeys");
        Path file = dir.resolve(name);
        Files.writeString(file, text.replace(anchor, anchor + "      sessionTicketKeys: [" + current + ", " + previous
                + "]\n"));
        return file;
    }

    private static InetSocketAddress listening(GatewayProcess gateway) throws InterruptedException {
        String line = gateway.awaitStderr("listening on");
        Matcher port = LISTENING.matcher(line);
        assertTrue(port.find(), "no listener address in: " + line);
        return new InetSocketAddress("127.0.0.1", Integer.parseInt(port.group(1)));
    }

    private ResumingClient client() throws Exception {
        return new ResumingClient(pki.server.root(), pki.client("app", null));
    }

    /** SIGHUP to each process, and its own word that the reload (which re-reads the key files) applied. */
    private void reloadBoth() throws Exception {
        for (GatewayProcess gateway : new GatewayProcess[] {first, second}) {
            gateway.signal("HUP");
            String line = gateway.awaitStderr("reload (SIGHUP)");
            while (!line.contains("applied")) {
                assertFalse(line.contains("rejected") || line.contains("failed"), line);
                line = gateway.awaitStderr("reload (SIGHUP)");
            }
            assertEquals(true, gateway.alive());
        }
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
