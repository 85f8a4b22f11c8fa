package io.mtlsgateway.gateway.jwt;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a JWKS file (run, reload and {@code check} share this, so they judge a file alike). */
public final class JwksFiles {
    private JwksFiles() {}

    /**
     * @throws KeySetException naming the file and what is wrong with it
     */
    public static KeySet read(Path file) throws KeySetException {
        try {
            if (Files.size(file) > KeySet.MAX_DOCUMENT_CHARS * 4L) {
                throw new KeySetException(file + ": larger than " + KeySet.MAX_DOCUMENT_CHARS + " characters"
                        + " (expected: a JWKS document)");
            }
            return KeySet.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (KeySetException e) {
            throw e.getMessage().startsWith(file.toString()) ? e : new KeySetException(file + ": " + e.getMessage());
        } catch (NoSuchFileException e) {
            throw new KeySetException(file + ": no such file");
        } catch (MalformedInputException e) {
            throw new KeySetException(file + ": not UTF-8 text (expected: a JWKS document)");
        } catch (IOException e) {
            throw new KeySetException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }
}
