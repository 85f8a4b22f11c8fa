package io.mtlsgateway.gateway.blackbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mtls-gateway check}, run as an operator runs it: the shaded jar in its own process. Exit
 * 0 for a usable config, 2 for a broken one, with the reason on stderr naming the file and never a
 * Java stack trace.
 */
class CheckExitCodesIT {
    private static final Path JAR = Path.of("target/mtls-gateway.jar");

    @TempDir
    static Path dir;

    static TestPki pki;

    @BeforeAll
    static void pki() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "the shaded jar is built in the package phase: " + JAR.toAbsolutePath());
        pki = new TestPki(dir);
    }

    record Run(int code, String out, String err) {}

    private static Run check(Path routeFile) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "check", "--config", routeFile.toString()));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "check did not finish");
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void aUsableConfigExitsZero() throws Exception {
        Path routes = dir.resolve("good.yaml");
        Files.writeString(routes, RouteFile.text(pki, RouteFile.route("all", "/"), 8080, ""));
        Run run = check(routes);
        assertEquals(0, run.code(), run.err());
    }

    @Test
    void aRouteFileErrorExitsTwoNamingFileLineAndColumn() throws Exception {
        Path routes = dir.resolve("typo.yaml");
        Files.writeString(routes, RouteFile.text(pki, RouteFile.route("all", "/"), 8080, "wrokers: 2\n"));
        Run run = check(routes);
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains(routes + ":5:"), run.err());
        assertFalse(run.err().contains("\tat "), "a stack trace was printed:\n" + run.err());
    }

    @Test
    void aMissingCertificateFileExitsTwoNamingTheFile() throws Exception {
        Path routes = dir.resolve("missing.yaml");
        String text = RouteFile.text(pki, RouteFile.route("all", "/"), 8080, "")
                .replace(pki.serverCertificate.toString(), dir.resolve("nowhere.pem").toString());
        Files.writeString(routes, text);
        Run run = check(routes);
        assertEquals(2, run.code(), run.err());
        assertTrue((run.out() + run.err()).contains(dir.resolve("nowhere.pem").toString()), run.out() + run.err());
        assertFalse(run.err().contains("\tat "), "a stack trace was printed:\n" + run.err());
    }
}
