package io.mtlsgateway.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Loads a route file (schema version 1, see docs/configuration.md) into a validated
 * {@link GatewayConfig}. Every problem in the file is reported at once, each at its 1-based line
 * and column; nothing but {@link ConfigException} is thrown for any file content.
 */
public final class ConfigLoader {
    /** Route files are small; this bounds the memory a wrong path (a log, a disk image) can take. */
    static final int MAX_CHARS = 1 << 20;

    private ConfigLoader() {}

    /**
     * Reads, binds and validates the route file at {@code file} (UTF-8). Relative paths in it
     * resolve against the file's folder; every referenced file must exist and be readable.
     *
     * @throws ConfigException listing every problem, in file order, including an unreadable file
     */
    public static GatewayConfig load(Path file) throws ConfigException {
        Objects.requireNonNull(file, "file");
        String label = file.toString();
        Problems problems = new Problems(label);
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // Opening a FIFO blocks until a writer comes, reading a device may never end: refuse
            // both before opening. A folder is refused here too, with the same words.
            problems.whole("not a regular file (a folder, FIFO or device): " + file.toAbsolutePath()
                    + " (expected: a YAML route file)");
            throw problems.exception();
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Optional<String> text = read(reader, problems);
            if (text.isPresent()) {
                return load(file, text.get(), problems);
            }
        } catch (NoSuchFileException e) {
            problems.whole("no such file: " + file.toAbsolutePath());
        } catch (AccessDeniedException e) {
            problems.whole("file not readable: " + file.toAbsolutePath());
        } catch (IOException e) {
            problems.whole("cannot read: " + e.getMessage());
        }
        throw problems.exception();
    }

    /**
     * Reads, binds and validates route-file text from {@code reader}, which the caller closes.
     * {@code source} names the file in messages and in {@link GatewayConfig#source()}; relative
     * paths resolve against its folder, and need not point to an existing file itself.
     *
     * @throws ConfigException listing every problem, in file order
     */
    public static GatewayConfig load(Path source, Reader reader) throws ConfigException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(reader, "reader");
        Problems problems = new Problems(source.toString());
        Optional<String> text = read(reader, problems);
        if (text.isPresent()) {
            return load(source, text.get(), problems);
        }
        throw problems.exception();
    }

    /**
     * The files route-file text names (certificates, keys, CA bundles, CRLs, ticket keys, JWKS
     * files), as far as it can be read, whether or not they exist and whether or not the text is a
     * valid route file: what the gateway's file watcher must watch so that creating a file a
     * refused route change names applies the change. Relative paths resolve against the folder of
     * {@code source}; the route file itself is not among them.
     */
    public static Set<Path> filesNamedBy(Path source, String text) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(text, "text");
        Path absolute = source.toAbsolutePath().normalize();
        Path baseDir = absolute.getParent() != null ? absolute.getParent() : absolute;
        // Its own problem list: only the files recorded on the way are wanted here.
        Problems problems = new Problems(source.toString());
        Optional<Node> root = text.length() > MAX_CHARS ? Optional.empty()
                : YamlComposer.compose(source.toString(), text, problems);
        if (root.isEmpty()) {
            return Set.of();
        }
        References refs = new References();
        new ConfigBinder(absolute, baseDir, refs).bind(YamlNode.root(root.get(), problems));
        Set<Path> files = new LinkedHashSet<>();
        refs.files.forEach(file -> files.add(file.path()));
        return Collections.unmodifiableSet(files);
    }

    private static GatewayConfig load(Path source, String text, Problems problems) throws ConfigException {
        Path absolute = source.toAbsolutePath().normalize();
        Path baseDir = absolute.getParent() != null ? absolute.getParent() : absolute;
        Optional<Node> root = YamlComposer.compose(source.toString(), text, problems);
        if (root.isEmpty()) {
            if (problems.isEmpty()) {
                problems.whole("no YAML document (expected: a route file starting with 'version: "
                        + ConfigBinder.SCHEMA_VERSION + "')");
            }
            throw problems.exception();
        }
        References refs = new References();
        Optional<GatewayConfig> config =
                new ConfigBinder(absolute, baseDir, refs).bind(YamlNode.root(root.get(), problems));
        ReferenceValidator.validate(refs);
        if (!problems.isEmpty()) {
            throw problems.exception();
        }
        // No problem reported means every part was bound; an empty result here would be a binder bug.
        return config.orElseThrow();
    }

    private static Optional<String> read(Reader reader, Problems problems) {
        StringBuilder text = new StringBuilder();
        char[] buffer = new char[8192];
        try {
            for (int n; (n = reader.read(buffer)) >= 0; ) {
                text.append(buffer, 0, n);
                if (text.length() > MAX_CHARS) {
                    problems.whole("larger than " + MAX_CHARS + " characters (expected: a route file)");
                    return Optional.empty();
                }
            }
        } catch (CharacterCodingException e) {
            problems.whole("not UTF-8 text (expected: a YAML route file)");
            return Optional.empty();
        } catch (IOException e) {
            problems.whole("cannot read: " + e.getMessage());
            return Optional.empty();
        }
        return Optional.of(text.toString());
    }
}
