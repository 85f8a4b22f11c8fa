package io.mtlsgateway.gateway.demo;

import io.mtlsgateway.gateway.pki.DevCa;
import io.mtlsgateway.gateway.pki.DevTokenIssuer;
import io.mtlsgateway.gateway.pki.KeyType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Prepares a demo folder: a dev CA (reused when the folder already has one), a server certificate
 * for localhost, two client certificates (one with a SPIFFE ID), a development access token bound
 * to the first client, and a route file in front of the echo upstream. Everything is a plain file
 * a person can open, reuse and change.
 */
public final class DemoSetup {
    public static final String CLIENT_NAME = "demo-client";
    public static final String CLIENT_SPIFFE_ID = "spiffe://demo.mtls-gateway/ns/default/sa/demo-client";
    /** A second client: the same bound token sent with its certificate is a stolen token. */
    public static final String OTHER_CLIENT_NAME = "demo-other";
    public static final String TOKEN_USER = "alice";
    private static final String SERVER_NAME = "gateway";
    private static final String TOKEN_FILE = CLIENT_NAME + ".token";
    /** Long enough for a demo session; `pki token` makes a fresh one. */
    private static final java.time.Duration TOKEN_TTL = java.time.Duration.ofHours(12);

    private final Path dir;

    private DemoSetup(Path dir) {
        this.dir = dir;
    }

    /** Issues the certificates into {@code dir}, creating the CA there first if needed. */
    public static DemoSetup prepare(Path dir) throws IOException {
        DevCa ca = Files.exists(dir.resolve("ca.pem")) ? DevCa.open(dir) : DevCa.init(dir, KeyType.EC_P256);
        ca.issueServer(SERVER_NAME, List.of("localhost"), List.of("127.0.0.1"), 30, KeyType.EC_P256);
        ca.issueClient(CLIENT_NAME, List.of(CLIENT_SPIFFE_ID), List.of(), 30, KeyType.EC_P256);
        ca.issueClient(OTHER_CLIENT_NAME, List.of(), List.of(), 30, KeyType.EC_P256);
        DevTokenIssuer.Issued token = DevTokenIssuer.of(ca).issue(new DevTokenIssuer.Request(CLIENT_NAME, TOKEN_USER,
                Optional.of("payments:read payments:write"), true, TOKEN_TTL, DevTokenIssuer.DEFAULT_AUDIENCE));
        Files.writeString(ca.dir().resolve(TOKEN_FILE), token.token() + "\n", StandardCharsets.US_ASCII);
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

    public Path otherClientCertificate() {
        return dir.resolve(OTHER_CLIENT_NAME + ".pem");
    }

    public Path otherClientKey() {
        return dir.resolve(OTHER_CLIENT_NAME + ".key");
    }

    /** The access token bound to the demo client's certificate. */
    public Path tokenFile() {
        return dir.resolve(TOKEN_FILE);
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
                jwt:
                  dev-idp:
                    issuer: %s
                    audiences: [%s]
                    jwks: { file: %s }
                    certificateBound: required
                    claimHeaders: { X-User-Id: sub, X-Scopes: scope }
                routes:
                  - name: payments
                    match: { pathPrefix: /payments }
                    upstream: echo
                    jwt: { issuer: dev-idp }
                    allowClaims: [{ scope: payments:write }]
                  - name: everything
                    upstream: echo
                upstreams:
                  echo:
                    endpoints: [127.0.0.1:%d]
                """.formatted(adminPort, listenHost, listenPort, SERVER_NAME, SERVER_NAME, DevTokenIssuer.ISSUER,
                DevTokenIssuer.DEFAULT_AUDIENCE, DevTokenIssuer.JWKS_FILE, upstreamPort);
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }
}
