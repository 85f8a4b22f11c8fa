package io.mtlsgateway.gateway.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Every path whose replacement changes what a file path resolves to: the path itself, each
 * symbolic link met while resolving it (a link to the file, or a link to a folder on the way,
 * such as the {@code ..data} link of a Kubernetes secret volume), and the file finally reached.
 * The file watcher reacts to events about these names and no others.
 */
final class LinkChain {
    /** The kernel's own limit on links followed in one lookup (Linux: 40). */
    static final int MAX_LINKS = 40;

    private LinkChain() {}

    /** The chain of {@code file}, read from the file system now; a missing part ends it there. */
    static Set<Path> of(Path file) {
        Set<Path> chain = new LinkedHashSet<>();
        Path current = file.toAbsolutePath().normalize();
        chain.add(current);
        for (int links = 0; links < MAX_LINKS; links++) {
            Path link = firstLink(current);
            if (link == null) {
                break;
            }
            Path target;
            try {
                target = link.getParent().resolve(Files.readSymbolicLink(link));
            } catch (IOException | UnsupportedOperationException e) {
                break; // replaced while reading: the next event about it resolves the chain again
            }
            chain.add(link);
            current = target.resolve(link.relativize(current)).normalize();
            chain.add(current);
        }
        return chain;
    }

    /** The shortest leading part of {@code path} that is a symbolic link, or null. */
    private static Path firstLink(Path path) {
        Path prefix = path.getRoot();
        for (Path name : path) {
            prefix = prefix.resolve(name);
            if (Files.isSymbolicLink(prefix)) {
                return prefix;
            }
        }
        return null;
    }
}
