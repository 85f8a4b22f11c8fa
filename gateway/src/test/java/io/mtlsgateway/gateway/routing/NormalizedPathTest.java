package io.mtlsgateway.gateway.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.routing.NormalizedPath.InvalidPathException;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NormalizedPathTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/, /",
        "/a/b, /a/b",
        "/a/./b, /a/b",
        "/a/../b, /b",
        "/api/../admin, /admin",
        "/api/%2e%2e/admin, /admin",
        "/api/%2E%2e/admin, /admin",
        "//a///b, /a/b",
        "/a/b/, /a/b/",
        "/a/b/.., /a/",
        "/a/b/., /a/b/",
        "/%7euser, /~user",
        "/a%20b, /a%20b",
        "/a%3fb, /a%3Fb",
        "/a;v=1/b, /a;v=1/b",
    })
    void normalisesThePathTheWayRoutingAndTheUpstreamWillBothSeeIt(String raw, String expected) throws Exception {
        assertEquals(expected, NormalizedPath.of(raw).path());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/..", "/../etc/passwd", "/a/../../b", "/a/%2e%2e/%2e%2e/b",
        "/a%2fb", "/a%2Fb", "/a%5cb", "/a%00b", "/a\\b", "/a%zz", "/a%2",
        "relative", "*", "/a#frag",
        "/public/..;/admin", "/public/%2e%2e;x=1/admin", "/a/.;/b",
    })
    void refusesPathsThatClimbOrHideSeparatorsOrDotSegments(String raw) {
        assertThrows(InvalidPathException.class, () -> NormalizedPath.of(raw));
    }

    @ParameterizedTest(name = "{0} under {1} -> {2}")
    @CsvSource({
        "/payments/42, /payments, /v1, /v1/42",
        "/payments, /payments, /v1, /v1",
        "/payments/42, /payments, /, /42",
        "/payments/42, /payments/, /v1, /v1/42",
        "/payments/42, /payments/, /v1/, /v1/42",
    })
    void rewritesTheMatchedPrefix(String path, String prefix, String replacement, String expected) throws Exception {
        assertEquals(expected, NormalizedPath.of(path).rewritePrefix(prefix, Optional.of(replacement)).path());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a?x=1&y=%2F", "/a?"})
    void passesTheQueryThroughUnchanged(String raw) throws Exception {
        NormalizedPath path = NormalizedPath.of(raw);
        assertEquals(raw.substring(raw.indexOf('?') + 1), path.query());
        assertEquals("/a", path.path());
    }

    /**
     * {@code of} skips the full normalisation for a path that is already canonical: that shortcut must give the
     * same answer as the full normalisation (the same path, or a refusal) for every path, so it is checked against
     * it over paths built from the characters that matter (separators, dots, escapes, parameters, a backslash).
     */
    @Test
    void theShortcutForCanonicalPathsAgreesWithTheFullNormalisation() {
        String alphabet = "/./a%2eF;\\b~";
        Random random = new Random(20261201L);
        int shortcutTaken = 0;
        for (int n = 0; n < 200_000; n++) {
            StringBuilder raw = new StringBuilder("/");
            int length = random.nextInt(10);
            for (int i = 0; i < length; i++) {
                raw.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String path = raw.toString();
            String expected;
            try {
                expected = NormalizedPath.normalize(path);
            } catch (InvalidPathException e) {
                assertThrows(InvalidPathException.class, () -> NormalizedPath.of(path), path);
                continue;
            }
            try {
                assertEquals(expected, NormalizedPath.of(path).path(), path);
            } catch (InvalidPathException e) {
                throw new AssertionError(path + " refused, but normalises to " + expected, e);
            }
            if (expected.equals(path)) {
                shortcutTaken++;
            }
        }
        // The generator must reach both kinds of path, or the comparison proves nothing.
        assertTrue(shortcutTaken > 1_000, "canonical paths generated: " + shortcutTaken);
    }
}
