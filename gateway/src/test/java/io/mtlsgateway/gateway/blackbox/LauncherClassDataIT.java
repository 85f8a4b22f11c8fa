package io.mtlsgateway.gateway.blackbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/mtls-gateway run} and its class-data archive: the first run makes it (one line saying
 * so), later runs map it and say nothing about it, and a run that cannot have one starts all the
 * same, without a word about archives; one in a folder others can write is never made nor mapped.
 */
class LauncherClassDataIT {
    /** A training start, then the start itself, on a machine shared with other builds. */
    private static final int FIRST_RUN_SECONDS = 240;

    @TempDir
    Path dir;

    Path routeFile;

    @BeforeEach
    void setUp() throws Exception {
        routeFile = RouteFile.writeMinimal(new TestPki(dir), dir);
    }

    private List<String> runUntilListening(Map<String, String> env, String expectedFirstLine, boolean archiveMapped)
            throws Exception {
        String folder = env.get("MTLS_GATEWAY_CDS_DIR");
        try (GatewayProcess gateway = GatewayProcess.launch(env, "run", "--config", routeFile.toString())) {
            gateway.awaitStderr(expectedFirstLine, FIRST_RUN_SECONDS);
            gateway.awaitStderr("listening on", FIRST_RUN_SECONDS);
            String maps = Files.readString(Path.of("/proc", Long.toString(gateway.pid()), "maps"));
            assertEquals(archiveMapped, maps.contains(folder + "/"), "an archive from " + folder + " mapped");
            gateway.signal("TERM");
            assertEquals(0, gateway.awaitExit());
            return gateway.stderrLines();
        }
    }

    /** The folder's files (the native libraries the launcher unpacks there are in a folder of their own). */
    private static List<Path> files(Path folder) throws Exception {
        try (Stream<Path> listed = Files.list(folder)) {
            return listed.filter(Files::isRegularFile).toList();
        }
    }

    private static void assertNothingAboutArchives(List<String> stderr) {
        String all = String.join("\n", stderr);
        assertFalse(all.contains("class-data") || all.contains("cds") || all.contains("shared archive")
                || all.contains("warning"), all);
    }

    @Test
    void theFirstRunMakesTheArchiveAndTheNextOneMapsItQuietly() throws Exception {
        Path archives = Files.createDirectory(dir.resolve("archives"));
        Map<String, String> env = Map.of("MTLS_GATEWAY_CDS_DIR", archives.toString(),
                "MTLS_GATEWAY_JAVA_OPTS", "-Xmx128m");
        runUntilListening(env, "making a class-data archive", true);
        List<Path> made = files(archives);
        assertEquals(1, made.size(), made.toString());
        assertTrue(made.get(0).getFileName().toString().matches("mtls-gateway-\\d+\\.jsa"), made.toString());

        List<String> second = runUntilListening(env, "starting (pid", true);
        assertNothingAboutArchives(second);
        assertEquals(made, files(archives));
    }

    @Test
    void withoutAWritableFolderItStartsWithoutAnArchiveAndSaysNothingAboutIt() throws Exception {
        Map<String, String> env = Map.of("MTLS_GATEWAY_CDS_DIR", dir.resolve("missing").toString(),
                "MTLS_GATEWAY_JAVA_OPTS", "-Xmx128m");
        assertNothingAboutArchives(runUntilListening(env, "starting (pid", false));
        assertFalse(Files.exists(dir.resolve("missing")));
    }

    @Test
    void aFolderOthersCanWriteIsNeitherUsedNorWrittenTo() throws Exception {
        // An archive in it could have been planted by another user: the JVM would run its classes.
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Map<String, String> env = Map.of("MTLS_GATEWAY_CDS_DIR", shared.toString(),
                "MTLS_GATEWAY_JAVA_OPTS", "-Xmx128m");
        assertNothingAboutArchives(runUntilListening(env, "starting (pid", false));
        assertEquals(List.of(), files(shared));
    }
}
