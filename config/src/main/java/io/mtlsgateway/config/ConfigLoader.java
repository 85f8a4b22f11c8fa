package io.mtlsgateway.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
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
