package io.mtlsgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Whatever the bytes, loading ends in a config or a {@link ConfigException}, never another exception. */
class ConfigLoaderGarbageTest {
    @TempDir
    Path dir;

    private RouteFiles files;

    @BeforeEach
    void setUp() {
        files = new RouteFiles(dir);
    }

    private List<String> problemsOf(String yaml) {
        return files.problems(yaml).stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void reportsAnEmptyFileAsAWholeFileProblem() {
        assertEquals(List.of(files.file + ": no YAML document (expected: a route file starting with 'version: 1')"),
                problemsOf(""));
    }

    @Test
    void reportsAFileOfOnlyCommentsLikeAnEmptyOne() {
        assertEquals(List.of(files.file + ": no YAML document (expected: a route file starting with 'version: 1')"),
                problemsOf("# version: 1\n\n# nothing else\n"));
    }

    @Test
    void reportsAnAccessLogPathThatIsNotAPathAtItsNode() {
        List<String> problems = problemsOf(RouteFiles.MINIMAL.replace("version: 1\n",
                "version: 1\naccessLog: { path: \"a\\0b\" }\n"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith(files.file + ":2:20: accessLog.path"), problems.toString());
        assertTrue(problems.get(0).contains("is not a valid path"), problems.toString());
    }

    @Test
    void rejectsAListAtTheRoot() {
        assertEquals(List.of(files.file + ":1:1: the route file is a list "
                + "(expected: a mapping with version, listeners, routes and upstreams)"), problemsOf("- version: 1\n"));
    }

    @Test
    void rejectsAScalarOrNullAtTheRoot() {
        assertEquals(List.of(files.file + ":1:1: the route file is 'hello' "
                + "(expected: a mapping with version, listeners, routes and upstreams)"), problemsOf("hello\n"));
        assertEquals(List.of(files.file + ":2:1: the route file is empty "
                + "(expected: a mapping with version, listeners, routes and upstreams)"), problemsOf("---\n"));
    }

    @Test
    void reportsTabIndentationAtTheTab() {
        List<String> problems = problemsOf("version: 1\nlisteners:\n\t- name: a\n");
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith(files.file + ":3:1: YAML: found character '\\t(TAB)'"), problems.get(0));
    }

    @Test
    void reportsBytesThatAreNotUtf8() throws IOException {
        Files.write(files.file, new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x41, (byte) 0xc3, 0x28});

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(files.file));

        assertEquals(List.of(files.file + ": not UTF-8 text (expected: a YAML route file)"),
                e.problems().stream().map(ConfigProblem::toString).toList());
    }

    @Test
    void reportsAControlCharacterAtItsLineAndColumn() {
        assertEquals(List.of(files.file + ":2:8: YAML: character U+0001 is not allowed in a YAML file"),
                problemsOf("version: 1\nworkers\u0001: 2\n"));
    }

    @Test
    void rejectsAVersionThatIsAStringOrAFloat() {
        String listenersMissing = files.file + ":1:1: missing key 'listeners' (expected: a list of listeners)";
        assertEquals(List.of(listenersMissing, files.file + ":1:10: version: '1' (expected: an integer)"),
                problemsOf("version: \"1\"\n"));
        assertEquals(List.of(listenersMissing, files.file + ":1:10: version: 1.0 (expected: an integer)"),
                problemsOf("version: 1.0\n"));
    }

    @Test
    void rejectsMoreThanOneDocument() {
        List<String> problems = problemsOf(RouteFiles.MINIMAL + "---\nversion: 1\n");
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith(files.file + ":15:1: YAML: but found another document"), problems.get(0));
    }

    @Test
    void rejectsNestingDeeperThanAnyRouteFileWithoutOverflowingTheStack() {
        String deep = "version: 1\nlisteners: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n";
        assertEquals(List.of(files.file + ":2:" + (12 + YamlComposer.MAX_DEPTH - 1) + ": YAML: nested deeper than "
                + YamlComposer.MAX_DEPTH + " levels"), problemsOf(deep));
    }

    @Test
    void refusesARecursiveAliasAtTheAlias() {
        assertEquals(List.of(files.file + ":2:19: YAML: alias *loop is inside the node it refers to (a recursive "
                + "structure; expected: an alias to a node that ends before it)"),
                problemsOf("version: 1\nlisteners: &loop [*loop]\n"));
        assertEquals(List.of(files.file + ":2:20: YAML: alias *u is inside the node it refers to (a recursive "
                + "structure; expected: an alias to a node that ends before it)"),
                problemsOf("version: 1\nupstreams: &u { a: *u }\n"));
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void refusesAMergeKeyThatReferencesItsOwnAnchorInsteadOfLoopingForever() {
        assertEquals(List.of(files.file + ":2:19: YAML: alias *m is inside the node it refers to (a recursive "
                + "structure; expected: an alias to a node that ends before it)"),
                problemsOf("version: 1\nm: &m { a: 1, <<: *m }\n"));
        // The same through a list of merged mappings, one level down.
        List<String> nested = problemsOf("version: 1\nm: &m { x: { <<: [ *m ] } }\n");
        assertEquals(1, nested.size(), nested.toString());
        assertTrue(nested.get(0).startsWith(files.file + ":2:20: YAML: alias *m is inside"), nested.toString());
    }

    @Test
    void stillAcceptsAnAnchorDefinedAgainAfterAnAliasToTheFirstOne() {
        // The alias means the latest definition of the name, a scalar here: no cycle.
        List<String> problems = problemsOf(RouteFiles.MINIMAL + "x-a: &a [ &a 1, *a ]\n");
        assertFalse(problems.stream().anyMatch(p -> p.contains("recursive")), problems.toString());
    }

    @Test
    void refusesAnAliasBombInsteadOfExpandingIt() {
        StringBuilder bomb = new StringBuilder("version: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 12; i++) {
            bomb.append("a").append(i).append(": &a").append(i).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(10, "*a" + (i - 1)))).append("]\n");
        }
        List<String> problems = problemsOf(bomb.toString());
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains("YAML: "), problems.get(0));
    }

    @Test
    void reportsAKeyThatIsNotAStringAtTheKey() {
        assertEquals(List.of(
                files.file + ":2:3: a key that is not a string (expected: a name)",
                files.file + ":4:12: listeners: empty list (expected: at least one listener)"),
                problemsOf("version: 1\n? [a]\n: b\nlisteners: []\n"));
    }

    @Test
    void reportsANullKey() {
        List<String> problems = problemsOf(RouteFiles.MINIMAL + "~: 1\n");
        assertEquals(List.of(files.file + ":15:1: a key that is not a string (expected: a name)"), problems);
    }

    @Test
    void reportsARouteFileThatDoesNotExist() {
        Path missing = dir.resolve("missing.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));
        assertEquals(List.of(missing + ": no such file: " + missing.toAbsolutePath()),
                e.problems().stream().map(ConfigProblem::toString).toList());
    }

    @Test
    void reportsARouteFileThatIsAFolder() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir));
        assertEquals(1, e.problems().size());
        assertTrue(e.problems().get(0).toString().startsWith(dir + ": not a regular file"), e.getMessage());
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void refusesARouteFileThatIsAFifoInsteadOfWaitingForAWriter() throws Exception {
        Path fifo = dir.resolve("routes.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(fifo));
        assertEquals(List.of(fifo + ": not a regular file (a folder, FIFO or device): " + fifo.toAbsolutePath()
                + " (expected: a YAML route file)"), e.problems().stream().map(ConfigProblem::toString).toList());
    }

    @Test
    void reportsAReaderThatFails() {
        Reader broken = new Reader() {
            @Override
            public int read(char[] buffer, int offset, int length) throws IOException {
                throw new IOException("disk on fire");
            }

            @Override
            public void close() {}
        };
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir.resolve("r.yaml"), broken));
        assertEquals(List.of(dir.resolve("r.yaml") + ": cannot read: disk on fire"),
                e.problems().stream().map(ConfigProblem::toString).toList());
    }

    @Test
    void refusesInputLargerThanAnyRouteFile() {
        String huge = "# " + "x".repeat(ConfigLoader.MAX_CHARS) + "\n";
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(dir.resolve("big.yaml"), new StringReader(huge)));
        assertEquals(List.of(dir.resolve("big.yaml") + ": larger than " + ConfigLoader.MAX_CHARS
                + " characters (expected: a route file)"), e.problems().stream().map(ConfigProblem::toString).toList());
    }

    @Test
    void reportsWrongTypesEverywhereWithoutThrowingAnythingElse() {
        String yaml = """
                version: 1
                workers: [1]
                transport: {a: b}
                admin: 5
                listeners:
                  - name: [x]
                    listen: {}
                    tls: ~
                    identityHeaders: [a]
                    xfcc: 7
                    rfc9440: "true"
                  - 42
                routes: {a: b}
                upstreams: [a]
                """;
        List<ConfigProblem> problems = files.problems(yaml);
        assertEquals(List.of(2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14), problems.stream().map(ConfigProblem::line).toList());
    }

    @Test
    void neverThrowsAnythingButConfigExceptionOnMutatedRouteFiles() throws IOException {
        String valid;
        try (var in = getClass().getResourceAsStream("/full-routes.yaml")) {
            valid = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        files.touch("certs/clients-ca.pem");
        files.touch("certs/clients-ca.crl");
        String alphabet = ":-[]{}#&*!|>'\"%@` \t\n,?~0123456789abcxyzTLSv.\u0000\u00e9";
        Random random = new Random(20240611L); // fixed: a failure must be reproducible
        int loaded = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String mutated = mutate(valid, random, alphabet);
            try {
                ConfigLoader.load(dir.resolve("fuzz.yaml"), new StringReader(mutated));
                loaded++;
            } catch (ConfigException e) {
                assertFalse(e.problems().isEmpty(), "a ConfigException always carries its problems");
            } catch (RuntimeException | StackOverflowError e) {
                failures.add(e + " for input:\n" + mutated);
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " inputs escaped as other exceptions; first: " + failures.get(0));
        }
        assertTrue(loaded > 0, "some mutations (comments, whitespace) keep the file valid");
    }

    private static String mutate(String text, Random random, String alphabet) {
        StringBuilder out = new StringBuilder(text);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && out.length() > 0; e++) {
            int at = random.nextInt(out.length());
            switch (random.nextInt(4)) {
                case 0 -> out.deleteCharAt(at);
                case 1 -> out.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                case 2 -> out.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                default -> {
                    // Repeat a whole line: duplicate keys, duplicate names, shifted structure.
                    int start = out.lastIndexOf("\n", at) + 1;
                    int end = out.indexOf("\n", at);
                    String line = out.substring(start, end < 0 ? out.length() : end + 1);
                    out.insert(start, line);
                }
            }
        }
        return out.toString();
    }
}
