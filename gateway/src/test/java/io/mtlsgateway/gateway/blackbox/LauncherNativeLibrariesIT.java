package io.mtlsgateway.gateway.blackbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/mtls-gateway run} and Netty's native libraries: unpacked from the jar once into the
 * launcher's folder and loaded from there; without them (switched off, or a copy that does not
 * load) the gateway starts all the same, with Netty unpacking them itself as it always did. The
 * class-data archive is off here: only the libraries come from the folder. A copy in a folder
 * others can write to is never loaded, like an archive in such a folder ({@link LauncherClassDataIT}).
 */
class LauncherNativeLibrariesIT {
    /** A start on a machine shared with other builds. */
    private static final int START_SECONDS = 240;

    @TempDir
    Path dir;

    Path routeFile;
    Path folder;

    @BeforeEach
    void setUp() throws Exception {
        routeFile = RouteFile.writeMinimal(new TestPki(dir), dir);
        folder = Files.createDirectory(dir.resolve("cache"));
    }

    /** Starts until listening, stops it; returns the path BoringSSL's library was mapped from. */
    private String boringSslMappedFrom(Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("MTLS_GATEWAY_CDS_DIR", folder.toString(),
                "MTLS_GATEWAY_CDS", "off", "MTLS_GATEWAY_JAVA_OPTS", "-Xmx128m"));
        env.putAll(extraEnv);
        try (GatewayProcess gateway = GatewayProcess.launch(env, "run", "--config", routeFile.toString())) {
            gateway.awaitStderr("listening on", START_SECONDS);
            String library = Files.readAllLines(Path.of("/proc", Long.toString(gateway.pid()), "maps")).stream()
                    .filter(line -> line.contains("netty_tcnative"))
                    .map(line -> line.substring(line.indexOf('/')))
                    .findFirst().orElseThrow();
            gateway.signal("TERM");
            assertEquals(0, gateway.awaitExit());
            return library;
        }
    }

    private List<Path> unpacked() throws Exception {
        try (Stream<Path> listed = Files.list(folder)) {
            return listed.toList();
        }
    }

    @Test
    void theLibrariesAreUnpackedOnceAndLoadedFromTheFolder() throws Exception {
        String first = boringSslMappedFrom(Map.of());
        List<Path> made = unpacked();
        assertEquals(1, made.size(), made.toString());
        Path libraries = made.get(0);
        assertTrue(libraries.getFileName().toString().matches("mtls-gateway-native-\\d+"), made.toString());
        assertTrue(first.startsWith(libraries + "/libnetty_tcnative_"), first);
        try (Stream<Path> listed = Files.list(libraries)) {
            assertTrue(listed.anyMatch(file -> file.getFileName().toString().startsWith(
                    "libnetty_transport_native_epoll_")), "the epoll transport's library unpacked too");
        }

        assertEquals(first, boringSslMappedFrom(Map.of()), "the second start loads the same copy");
        assertEquals(made, unpacked());
    }

    @Test
    void switchedOffNettyUnpacksThemItselfAndNothingIsWritten() throws Exception {
        String library = boringSslMappedFrom(Map.of("MTLS_GATEWAY_NATIVE_CACHE", "off"));
        assertFalse(library.startsWith(folder.toString()), library);
        assertEquals(List.of(), unpacked());
    }

    @Test
    void aCopyOthersCanWriteIsNotLoaded() throws Exception {
        // Loaded libraries are code: another user who can write to the copy's folder could put theirs there.
        boringSslMappedFrom(Map.of());
        Path libraries = unpacked().get(0);
        for (String others : List.of("rwxrwxrwx", "rwxrwxr-x")) {
            Files.setPosixFilePermissions(libraries, PosixFilePermissions.fromString(others));
            String library = boringSslMappedFrom(Map.of());
            assertFalse(library.startsWith(folder.toString()), others + ": " + library);
            assertEquals(List.of(libraries), unpacked(), others + ": nothing else written");
        }
        // Writable by its owner alone again, it is loaded: the permissions were what refused it.
        Files.setPosixFilePermissions(libraries, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertTrue(boringSslMappedFrom(Map.of()).startsWith(libraries + "/libnetty_tcnative_"));
    }

    @Test
    void aCopyThatDoesNotLoadLeavesNettyToUnpackItsOwn() throws Exception {
        boringSslMappedFrom(Map.of());
        try (Stream<Path> files = Files.walk(unpacked().get(0))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.writeString(file, "not a shared object");
            }
        }
        String library = boringSslMappedFrom(Map.of());
        assertFalse(library.startsWith(folder.toString()), library);
    }
}
