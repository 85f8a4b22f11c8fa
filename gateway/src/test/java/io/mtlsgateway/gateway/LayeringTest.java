package io.mtlsgateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The gateway's packages form layers (docs/architecture.md): a package may use packages of the
 * layers below it, never one of its own layer or above. Reads the sources, so a new upward import
 * (or a fully qualified reference) fails the build with the file and the arrow it adds.
 */
class LayeringTest {
    /** Top first. The root package ({@code Json}, {@code LogText}) is the bottom layer. */
    private static final List<List<String>> LAYERS = List.of(
            List.of("cli"),
            List.of("demo"),
            List.of("server"),
            List.of("accesslog"),
            List.of("proxy"),
            List.of("pipeline"),
            List.of("upstream", "metrics", "routing", "jwt"),
            List.of("verify", "pki", "limits"),
            List.of("tls"),
            List.of("identity", "vhost"),
            List.of(""));

    private static final Path SOURCES = Path.of("src/main/java/io/mtlsgateway/gateway");
    private static final Pattern REFERENCE = Pattern.compile("io\\.mtlsgateway\\.gateway\\.(?:([a-z]+)\\.)?[A-Z]");

    @Test
    void noPackageUsesOneOfItsOwnLayerOrAbove() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : sources()) {
            String from = packageOf(file);
            String text = Files.readString(file);
            Matcher m = REFERENCE.matcher(text);
            TreeSet<String> targets = new TreeSet<>();
            while (m.find()) {
                targets.add(m.group(1) == null ? "" : m.group(1));
            }
            for (String to : targets) {
                if (!to.equals(from) && layer(to) <= layer(from)) {
                    violations.add(SOURCES.relativize(file) + ": " + display(from) + " -> " + display(to));
                }
            }
        }
        assertEquals(List.of(), violations, "imports that run against the layers of docs/architecture.md");
    }

    @Test
    void everyPackageHasALayerAndAPackageInfo() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path file : sources()) {
            layer(packageOf(file));
        }
        try (Stream<Path> dirs = Files.list(SOURCES)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                if (!Files.exists(dir.resolve("package-info.java"))) {
                    problems.add(dir.getFileName() + ": no package-info.java");
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    private static List<Path> sources() throws IOException {
        assertTrue(Files.isDirectory(SOURCES), "run from the gateway module: " + SOURCES.toAbsolutePath());
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static String packageOf(Path file) {
        Path relative = SOURCES.relativize(file.getParent() == null ? file : file.getParent());
        return relative.toString().replace('/', '.');
    }

    private static int layer(String pkg) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(pkg)) {
                return i;
            }
        }
        throw new AssertionError("package '" + pkg + "' has no layer: add it to LayeringTest.LAYERS "
                + "and to docs/architecture.md");
    }

    private static String display(String pkg) {
        return pkg.isEmpty() ? "(root)" : pkg;
    }
}
