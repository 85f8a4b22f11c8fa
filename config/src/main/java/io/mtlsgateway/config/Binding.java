package io.mtlsgateway.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Combinators the binders share: read every element and report every failure, not just the first. */
final class Binding {
    private Binding() {}

    /** Reads each node; empty if any failed (each failure having been reported). */
    static <T> Optional<List<T>> each(List<YamlNode> nodes, Function<YamlNode, Optional<T>> reader) {
        List<T> values = new ArrayList<>();
        boolean complete = true;
        for (YamlNode node : nodes) {
            Optional<T> value = reader.apply(node);
            value.ifPresent(values::add);
            complete &= value.isPresent();
        }
        return complete ? Optional.of(values) : Optional.empty();
    }

    /** Whether every part was read, so the record they make can be built. */
    static boolean allPresent(Optional<?>... parts) {
        for (Optional<?> part : parts) {
            if (part.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** A string that must start with {@code /}. */
    static Optional<String> absolutePath(YamlNode node) {
        return node.string().flatMap(text -> {
            if (!text.startsWith("/")) {
                node.unexpected("starts with /");
                return Optional.empty();
            }
            return Optional.of(text);
        });
    }

    /**
     * A file path, absolute after resolving against {@code baseDir}; recorded in {@code refs} so
     * the validator checks that it exists and the gateway watches it.
     */
    static Optional<Path> file(YamlNode node, Path baseDir, References refs) {
        return node.string().flatMap(text -> {
            Path path;
            try {
                path = baseDir.resolve(text).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                node.problem(node.describe() + " is not a valid path (" + e.getReason() + ")");
                return Optional.empty();
            }
            refs.files.add(new References.FileRef(path, node));
            return Optional.of(path);
        });
    }
}
