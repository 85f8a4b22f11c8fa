package io.mtlsgateway.gateway.blackbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * class-data archive is off here: only the libraries come from the folder.
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
        TestPki pki = new TestPki(dir);
        routeFile = dir.resolve("routes.yaml");
        Files.writeString(routeFile, RouteFile.text(pki, RouteFile.route("api", "/api"), 9, ""));
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
