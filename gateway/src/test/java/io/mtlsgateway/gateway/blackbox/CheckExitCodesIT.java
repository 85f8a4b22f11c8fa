package io.mtlsgateway.gateway.blackbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mtls-gateway check} on route-file mistakes, run as an operator runs it (the shaded jar in its
 * own process): exit 2, the problem named with its file, line and column, never a Java stack trace.
 * Certificate-file problems are {@link RunRefusesABrokenFileIT}'s.
 */
class CheckExitCodesIT {
    @TempDir
    static Path dir;

    static TestPki pki;

    @BeforeAll
    static void pki() throws Exception {
        pki = new TestPki(dir);
    }

    private static List<String> refused(Path routes) throws Exception {
        try (GatewayProcess check = GatewayProcess.start("check", "--config", routes.toString())) {
            int code = check.awaitExit();
            List<String> stderr = check.stderrLines();
            assertEquals(2, code, stderr.toString());
            assertFalse(String.join("\n", stderr).contains("\tat "), "a stack trace was printed: " + stderr);
            return stderr;
        }
    }

    @Test
    void anUnknownKeyExitsTwoNamingFileLineAndColumn() throws Exception {
        Path routes = dir.resolve("typo.yaml");
        Files.writeString(routes, RouteFile.text(pki, RouteFile.route("all", "/"), 8080, "wrokers: 2\n"));
        List<String> stderr = refused(routes);
        assertTrue(stderr.stream().anyMatch(line -> line.contains(routes + ":5:1")), stderr.toString());
    }

    @Test
    void aRouteToAnUnknownUpstreamExitsTwo() throws Exception {
        Path routes = dir.resolve("unknown-upstream.yaml");
        Files.writeString(routes, RouteFile.text(pki,
                "  - name: lost\n    match: { pathPrefix: / }\n    upstream: nowhere\n", 8080, ""));
        List<String> stderr = refused(routes);
        assertTrue(stderr.stream().anyMatch(line -> line.contains("nowhere")), stderr.toString());
    }
}
