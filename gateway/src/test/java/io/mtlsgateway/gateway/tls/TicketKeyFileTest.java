package io.mtlsgateway.gateway.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mtlsgateway.gateway.tls.ListenerMaterial.MaterialException;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ticket key files as nginx (48 raw bytes) and HAProxy (base64 lines) write them. */
class TicketKeyFileTest {
    @TempDir
    Path dir;

    /** 0..47: name 0..15, AES key 16..31, HMAC key 32..47. */
    private static byte[] counting(int offset) {
        byte[] key = new byte[48];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (offset + i);
        }
        return key;
    }

    @Test
    void readsA48ByteFileAsNameThenAesThenHmacKey() throws Exception {
        Path file = Files.write(dir.resolve("nginx.key"), counting(0));

        List<OpenSslSessionTicketKey> keys = TicketKeyFile.readAll(List.of(file));

        assertEquals(1, keys.size());
        assertArrayEquals(Arrays.copyOfRange(counting(0), 0, 16), keys.get(0).name());
        assertArrayEquals(Arrays.copyOfRange(counting(0), 16, 32), keys.get(0).aesKey());
        assertArrayEquals(Arrays.copyOfRange(counting(0), 32, 48), keys.get(0).hmacKey());
    }

    @Test
    void readsBase64LinesInOrderAndFilesInOrder() throws Exception {
        Base64.Encoder base64 = Base64.getEncoder();
        Path haproxy = Files.writeString(dir.resolve("haproxy.keys"),
                base64.encodeToString(counting(1)) + "\n" + base64.encodeToString(counting(2)) + "\n\n");
        Path nginx = Files.write(dir.resolve("nginx.key"), counting(3));

        List<OpenSslSessionTicketKey> keys = TicketKeyFile.readAll(List.of(haproxy, nginx));

        assertEquals(List.of(1, 2, 3), keys.stream().map(k -> (int) k.name()[0]).toList(), "the first key encrypts");
    }

    @Test
    void namesTheFileAndTheReasonForEveryBadFile() throws Exception {
        Path short80 = Files.writeString(dir.resolve("aes256.keys"),
                Base64.getEncoder().encodeToString(new byte[80]) + "\n");
        Path text = Files.writeString(dir.resolve("text.key"), "not a key at all\n", StandardCharsets.US_ASCII);
        Path missing = dir.resolve("missing.key");

        MaterialException e = assertThrows(MaterialException.class,
                () -> TicketKeyFile.readAll(List.of(short80, text, missing)));

        assertEquals(List.of(
                short80 + ": line 1: a key of 80 bytes (expected: 48 bytes; 80-byte keys are not supported)",
                text + ": line 1: not base64 (expected: 48 raw bytes, or one base64 line of 48 bytes per key)",
                missing + ": cannot read the session ticket key file (" + missing + ")"), e.problems());
    }
}
