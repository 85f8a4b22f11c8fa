package io.mtlsgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files a route file names, read even from a file the loader refuses (what the watcher watches). */
class ConfigLoaderNamedFilesTest {
    @TempDir
    Path dir;

    @Test
    void namesAFileThatDoesNotExistYetEvenThoughTheLoaderRefusesTheFileForIt() {
        RouteFiles files = new RouteFiles(dir);
        String yaml = RouteFiles.MINIMAL.replace("clientCa: certs/ca.pem\n",
                "clientCa: certs/ca.pem\n      crl: [certs/later.crl]\n");
        assertThrows(ConfigException.class, () -> files.load(yaml));

        Set<Path> named = ConfigLoader.filesNamedBy(files.file, yaml);

        Path certs = dir.toAbsolutePath().normalize().resolve("certs");
        assertEquals(List.of(certs.resolve("server.pem"), certs.resolve("server.key"), certs.resolve("ca.pem"),
                certs.resolve("later.crl")), List.copyOf(named));
    }

    @Test
    void namesTheFilesOfAFileWithOtherProblemsAndNoneOfTextThatIsNotYaml() {
        String yaml = RouteFiles.MINIMAL.replace("upstream: app", "upstream: nowhere");
        assertTrue(ConfigLoader.filesNamedBy(dir.resolve("routes.yaml"), yaml)
                .contains(dir.toAbsolutePath().normalize().resolve("certs/ca.pem")));
        assertEquals(Set.of(), ConfigLoader.filesNamedBy(dir.resolve("routes.yaml"), "[unclosed"));
    }
}
