package io.mtlsgateway.gateway.blackbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} with a file it cannot use at start prints one line naming the file and the reason,
 * never a stack trace, and exits 2; {@code check} says the same with exit 2, and 0 when all is well.
 */
class RunRefusesABrokenFileIT {
    /** The log's own lines (time, level, logger): not the problem report. */
    private static final Pattern LOG_LINE = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\S+ (INFO|WARNING|SEVERE|FINE)\\b.*");

    @TempDir
    Path dir;

    TestPki pki;
    Path routeFile;

    @BeforeEach
    void setUp() throws Exception {
        pki = new TestPki(dir);
        routeFile = RouteFile.writeMinimal(pki, dir);
    }

    /** Runs the jar to its end; returns the lines that are not log lines, after checking for stack traces. */
    private List<String> problems(int expectedExit, String... args) throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(args)) {
            int exit = gateway.awaitExit();
            List<String> stderr = gateway.stderrLines();
            assertEquals(expectedExit, exit, "exit code; stderr: " + stderr);
            for (String line : stderr) {
                // (The wording of a reason is the tls package's; here only its shape: no trace.)
                assertFalse(line.startsWith("\tat ") || line.startsWith("Caused by: ")
                        || line.startsWith("Exception in thread"), "a stack trace: " + stderr);
            }
            return stderr.stream().filter(line -> !LOG_LINE.matcher(line).matches()).toList();
        }
    }

    @Test
    void aCertificateFileThatIsNotACertificate() throws Exception {
        Files.writeString(pki.serverCertificate, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");

        List<String> problems = problems(2, "run", "--config", routeFile.toString());

        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith(pki.serverCertificate + ": "), problems.toString());

        // check reports it the same way and fails the same way
        List<String> checked = problems(2, "check", "--config", routeFile.toString());
        assertTrue(checked.contains(problems.get(0)), checked + " vs " + problems);
    }

    @Test
    void aKeyThatDoesNotBelongToTheCertificate() throws Exception {
        io.mtlsgateway.gateway.tls.PemFiles.writePrivateKey(pki.serverKey, pki.client("other", null).privateKey());

        List<String> problems = problems(2, "run", "--config", routeFile.toString());

        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains(pki.serverKey.toString()), problems.toString());
        assertTrue(problems.get(0).contains("does not belong"), problems.toString());
    }

    @Test
    void anAccessLogThatCannotBeOpened() throws Exception {
        Path notAFolder = Files.writeString(dir.resolve("plain-file"), "x");
        Files.writeString(routeFile, Files.readString(routeFile).replace("version: 1\n",
                "version: 1\naccessLog: { path: " + notAFolder.resolve("access.log") + " }\n"));

        List<String> problems = problems(2, "run", "--config", routeFile.toString());

        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("accessLog.path: cannot open " + notAFolder.resolve("access.log")),
                problems.toString());
    }

    @Test
    void aListenAddressInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Files.writeString(routeFile, Files.readString(routeFile).replace("    listen: 127.0.0.1:0\n",
                    "    listen: 127.0.0.1:" + taken.getLocalPort() + "\n"));

            List<String> problems = problems(2, "run", "--config", routeFile.toString());

            assertEquals(List.of("listener edge: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": " + reasonOf(problems)), problems);
            assertTrue(problems.get(0).toLowerCase(java.util.Locale.ROOT).contains("address already in use"),
                    problems.toString());
        }
    }

    private static String reasonOf(List<String> problems) {
        String line = problems.isEmpty() ? "" : problems.get(0);
        int colon = line.indexOf(": ");
        return colon < 0 ? line : line.substring(colon + 2).replaceFirst("^cannot listen on [^ ]+: ", "");
    }

    @Test
    void checkPassesAGoodConfig() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start("check", "--config", routeFile.toString())) {
            assertEquals(0, gateway.awaitExit(), gateway.stderrLines().toString());
            assertTrue(gateway.stdout().contains("ok"), gateway.stdout());
        }
    }
}
