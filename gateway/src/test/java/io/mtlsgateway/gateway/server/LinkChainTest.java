package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which paths the watcher listens for, per file, on real links. */
class LinkChainTest {
    @TempDir
    Path dir;

    @Test
    void isTheFileAloneWhenNoLinkIsOnTheWay() throws Exception {
        Path file = Files.writeString(dir.resolve("server.pem"), "x");
        assertEquals(List.of(file), List.copyOf(LinkChain.of(file)));
    }

    @Test
    void followsAKubernetesSecretVolumeThroughTheDataLink() throws Exception {
        Path secret = Files.createDirectories(dir.resolve("secret"));
        Path version = Files.createDirectories(secret.resolve("..2026_12_01_09_00_00.1"));
        Files.writeString(version.resolve("tls.crt"), "x");
        Files.createSymbolicLink(secret.resolve("..data"), version.getFileName());
        Files.createSymbolicLink(secret.resolve("tls.crt"), Path.of("..data/tls.crt"));

        assertEquals(List.of(secret.resolve("tls.crt"), secret.resolve("..data/tls.crt"), secret.resolve("..data"),
                version.resolve("tls.crt")), List.copyOf(LinkChain.of(secret.resolve("tls.crt"))));
    }

    @Test
    void followsAnAbsoluteLinkIntoAnotherFolder() throws Exception {
        Path real = Files.writeString(Files.createDirectories(dir.resolve("real")).resolve("ca.pem"), "x");
        Path link = Files.createSymbolicLink(Files.createDirectories(dir.resolve("etc")).resolve("ca.pem"), real);
        assertEquals(List.of(link, real), List.copyOf(LinkChain.of(link)));
    }

    @Test
    void endsAtAMissingFileAndAtALinkLoop() throws Exception {
        Path missing = dir.resolve("gone.pem");
        assertEquals(List.of(missing), List.copyOf(LinkChain.of(missing)));
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Files.createSymbolicLink(a, b.getFileName());
        Files.createSymbolicLink(b, a.getFileName());
        assertEquals(List.of(a, b), List.copyOf(LinkChain.of(a)));
    }
}
