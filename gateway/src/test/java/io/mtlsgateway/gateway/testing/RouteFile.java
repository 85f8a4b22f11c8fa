package io.mtlsgateway.gateway.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A route file on disk for tests that need the real loader (reload, check): one listener and the
 * admin endpoint on free loopback ports, pointing at the test PKI's files.
 */
public final class RouteFile {
    private RouteFile() {}

    /** Route file text: listener {@code edge}, routes given as YAML list items, one upstream {@code echo}. */
    public static String text(TestPki pki, String routesYaml, int upstreamPort, String extraTopLevel) {
        return "version: 1\n"
                + "workers: 2\n"
                + "admin:\n  listen: 127.0.0.1:0\n"
                + extraTopLevel
                + "listeners:\n"
                + "  - name: " + GatewayFixture.LISTENER + "\n"
                + "    listen: 127.0.0.1:0\n"
                + "    tls:\n"
                + "      certificate: " + pki.serverCertificate + "\n"
                + "      privateKey: " + pki.serverKey + "\n"
                + "      clientCa: " + pki.clientCaFile + "\n"
                + "    identityHeaders:\n"
                + "      X-Client-Subject: \"${subject}\"\n"
                + "routes:\n" + routesYaml
                + "upstreams:\n"
                + "  echo:\n"
                + "    endpoints: [127.0.0.1:" + upstreamPort + "]\n";
    }

    /**
     * Writes {@code dir/routes.yaml}: one route {@code api} ({@code /api}) to an upstream on port 9,
     * where nothing answers, with {@code pki}'s files; for tests of the process, not of proxying.
     */
    public static Path writeMinimal(TestPki pki, Path dir) throws IOException {
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, text(pki, route("api", "/api"), 9, ""));
        return file;
    }

    /** One route item matching a path prefix, to upstream {@code echo}. */
    public static String route(String name, String pathPrefix) {
        return "  - name: " + name + "\n    match: { pathPrefix: " + pathPrefix + " }\n    upstream: echo\n";
    }

    /** Replaces a file atomically, as a careful operator (or a secret volume) does. */
    public static void replace(Path file, String text) throws IOException {
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".tmp", ".yaml");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
