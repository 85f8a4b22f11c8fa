package io.mtlsgateway.gateway.tls;

import io.mtlsgateway.gateway.tls.ListenerMaterial.MaterialException;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Reads session ticket key files in the 48-byte layout nginx ({@code ssl_session_ticket_key}) and
 * HAProxy ({@code tls-ticket-keys}) use: a 16-byte key name, a 16-byte AES-128 key, a 16-byte HMAC
 * key. A file is either exactly those 48 bytes (nginx: {@code openssl rand 48 > key}) or text with one
 * base64 line per key (HAProxy: {@code openssl rand 48 | base64}), keys in file order.
 */
public final class TicketKeyFile {
    static final int KEY_BYTES = 48;
    private static final int PART = 16;

    private TicketKeyFile() {}

    /** The keys of {@code files}, in order: the first one encrypts new tickets, all decrypt. */
    public static List<OpenSslSessionTicketKey> readAll(List<Path> files) throws MaterialException {
        List<OpenSslSessionTicketKey> keys = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            try {
                keys.addAll(read(file));
            } catch (IOException e) {
                problems.add(file + ": cannot read the session ticket key file (" + e.getMessage() + ")");
            } catch (IllegalArgumentException e) {
                problems.add(file + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new MaterialException(problems);
        }
        return keys;
    }

    static List<OpenSslSessionTicketKey> read(Path file) throws IOException {
        byte[] content = Files.readAllBytes(file);
        try {
            if (content.length == KEY_BYTES) {
                return List.of(key(content));
            }
            return base64Lines(new String(content, StandardCharsets.US_ASCII));
        } finally {
            Arrays.fill(content, (byte) 0);
        }
    }

    private static List<OpenSslSessionTicketKey> base64Lines(String text) {
        List<OpenSslSessionTicketKey> keys = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(line);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + (i + 1) + ": not base64 (expected: 48 raw bytes, or one"
                        + " base64 line of 48 bytes per key)");
            }
            try {
                if (decoded.length != KEY_BYTES) {
                    // 80-byte keys (AES-256) exist in nginx and HAProxy; tcnative's ticket callback takes 48.
                    throw new IllegalArgumentException("line " + (i + 1) + ": a key of " + decoded.length
                            + " bytes (expected: 48 bytes; 80-byte keys are not supported)");
                }
                keys.add(key(decoded));
            } finally {
                Arrays.fill(decoded, (byte) 0);
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no key in the file (expected: 48 raw bytes, or base64 lines)");
        }
        return keys;
    }

    /** name | AES key | HMAC key, as nginx and HAProxy lay them out. */
    static OpenSslSessionTicketKey key(byte[] bytes) {
        return new OpenSslSessionTicketKey(Arrays.copyOfRange(bytes, 0, PART),
                Arrays.copyOfRange(bytes, 2 * PART, 3 * PART), Arrays.copyOfRange(bytes, PART, 2 * PART));
    }
}
