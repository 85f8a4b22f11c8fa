package io.mtlsgateway.gateway.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * What the file watcher compares: a SHA-256 of each file's content, or a word for why there is
 * none ("missing", "unreadable: ..."), so a file that appears, goes or becomes readable is a change too.
 */
final class ContentHashes {
    private ContentHashes() {}

    /** Reads one fact about a file, for a comparison of before and after. */
    interface FileFact {
        String of(Path path) throws IOException;
    }

    static Map<Path, String> of(Set<Path> paths) {
        return each(paths, ContentHashes::hash);
    }

    static String of(Path path) {
        return describe(path, ContentHashes::hash);
    }

    private static String hash(Path path) throws IOException {
        return digest(read(path));
    }

    /** {@link #describe} of each of {@code paths}. */
    static Map<Path, String> each(Set<Path> paths, FileFact fact) {
        Map<Path, String> result = new HashMap<>();
        for (Path path : paths) {
            result.put(path, describe(path, fact));
        }
        return result;
    }

    /**
     * {@code fact} of {@code path}, or the word for why there is none ("missing", "unreadable: ..."): the one
     * rule for the watcher's two snapshots, content (here) and metadata ({@link FileStamps}).
     */
    private static String describe(Path path, FileFact fact) {
        try {
            return fact.of(path);
        } catch (NoSuchFileException e) {
            return "missing";
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    /** The file's content; a FIFO or a device is not read (it could block the watcher for ever). */
    static byte[] read(Path path) throws IOException {
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            throw new IOException("not a regular file");
        }
        return Files.readAllBytes(path);
    }

    static String digest(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
