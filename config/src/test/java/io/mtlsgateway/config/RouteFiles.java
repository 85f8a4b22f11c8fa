package io.mtlsgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A route file in a temporary folder, next to empty files named like the ones it references
 * (the loader checks that files exist and are readable, never their content).
 */
final class RouteFiles {
    /** The smallest valid route file; tests append to it or replace parts of it. */
    static final String MINIMAL = """
            version: 1
            listeners:
              - name: edge
                listen: 127.0.0.1:8443
                tls:
                  certificate: certs/server.pem
                  privateKey: certs/server.key
                  clientCa: certs/ca.pem
            routes:
              - name: all
                upstream: app
            upstreams:
              app:
                endpoints: [127.0.0.1:8080]
            """;

    final Path dir;
    final Path file;

    RouteFiles(Path dir) {
        this.dir = dir;
        this.file = dir.resolve("routes.yaml");
        for (String name : List.of("server.pem", "server.key", "ca.pem", "ca.crl", "other.crl")) {
            touch("certs/" + name);
        }
    }

    /** Creates an empty file (and its folders) under the route file's folder. */
    Path touch(String relative) {
        Path path = dir.resolve(relative);
        try {
            Files.createDirectories(path.getParent());
            return Files.exists(path) ? path : Files.createFile(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    GatewayConfig load(String yaml) throws ConfigException {
        write(yaml);
        return ConfigLoader.load(file);
    }

    /** The problems loading {@code yaml} must report. */
    List<ConfigProblem> problems(String yaml) {
        write(yaml);
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(file)).problems();
    }

    /** Asserts that loading {@code yaml} reports exactly one problem, {@code line:column: message}. */
    void assertOnlyProblem(String yaml, String expected) {
        List<ConfigProblem> problems = problems(yaml);
        assertEquals(List.of(file + ":" + expected), problems.stream().map(ConfigProblem::toString).toList());
    }

    private void write(String yaml) {
        try {
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
