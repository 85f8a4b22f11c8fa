package io.mtlsgateway.gateway.demo;

import io.mtlsgateway.gateway.pki.DevCa;
import io.mtlsgateway.gateway.pki.KeyType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Prepares a demo folder: a dev CA (reused when the folder already has one), a server certificate
 * for localhost, a client certificate with a SPIFFE ID, and a route file in front of the echo
 * upstream. Everything is a plain file a person can open, reuse and change.
 */
public final class DemoSetup {
    public static final String CLIENT_NAME = "demo-client";
    public static final String CLIENT_SPIFFE_ID = "spiffe://demo.mtls-gateway/ns/default/sa/demo-client";
    private static final String SERVER_NAME = "gateway";

    private final Path dir;

    private DemoSetup(Path dir) {
        this.dir = dir;
    }

    /** Issues the certificates into {@code dir}, creating the CA there first if needed. */
    public static DemoSetup prepare(Path dir) throws IOException {
        DevCa ca = Files.exists(dir.resolve("ca.pem")) ? DevCa.open(dir) : DevCa.init(dir, KeyType.EC_P256);
        ca.issueServer(SERVER_NAME, List.of("localhost"), List.of("127.0.0.1"), 30, KeyType.EC_P256);
        ca.issueClient(CLIENT_NAME, List.of(CLIENT_SPIFFE_ID), List.of(), 30, KeyType.EC_P256);
        return new DemoSetup(dir.toAbsolutePath());
    }

    public Path dir() {
        return dir;
    }

    public Path caCertificate() {
        return dir.resolve("ca.pem");
    }

    public Path clientCertificate() {
        return dir.resolve(CLIENT_NAME + ".pem");
    }

    public Path clientKey() {
        return dir.resolve(CLIENT_NAME + ".key");
    }

    /** Writes the demo's route file and returns its path. */
    public Path writeRouteFile(String listenHost, int listenPort, int adminPort, int upstreamPort) throws IOException {
        String yaml = """
                # mtls-gateway demo route file, written by `mtls-gateway demo`.
                version: 1
                workers: 2
                admin:
                  listen: 127.0.0.1:%d
                listeners:
                  - name: demo
                    listen: %s:%d
                    tls:
                      certificate: %s.pem
                      privateKey: %s.key
                      clientAuth: require
                      clientCa: ca.pem
                    identityHeaders:
                      X-Client-Subject: "${subject}"
                      X-Client-Spiffe-Id: "${spiffe}"
                      X-Client-Fingerprint: "${fingerprint}"
                    xfcc: sanitize-set
                routes:
                  - name: everything
                    upstream: echo
                upstreams:
                  echo:
                    endpoints: [127.0.0.1:%d]
                """.formatted(adminPort, listenHost, listenPort, SERVER_NAME, SERVER_NAME, upstreamPort);
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }
}
