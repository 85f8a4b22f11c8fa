package io.mtlsgateway.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.CrlIssuer;
import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mtls-gateway check}: the summary of a good route file, and every problem of a bad one. */
class CheckCommandTest {
    @TempDir
    Path dir;

    TestPki pki;
    Path routeFile;

    @BeforeEach
    void writeRouteFile() throws Exception {
        pki = new TestPki(dir);
        routeFile = dir.resolve("routes.yaml");
        Files.writeString(routeFile, RouteFile.text(pki, RouteFile.route("api", "/api"), 8080, ""));
    }

    private record Result(int code, String out, String err) {}

    private Result check() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("check", "--config", routeFile.toString());
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void summarisesEveryCertificateWithItsExpiryAndExitsZero() {
        Result result = check();
        assertEquals(0, result.code(), result.err());
        assertTrue(result.out().contains("listener edge:"), result.out());
        assertTrue(result.out().contains("server certificate: CN=gateway, expires "), result.out());
        assertTrue(result.out().contains("days left) (key matches)"), result.out());
        assertTrue(result.out().contains("client CA: CN=test client CA,O=Test"), result.out());
        assertTrue(result.out().trim().endsWith("ok"), result.out());
    }

    @Test
    void warnsAboutARouteThatAnEarlierOneShadowsButStillPasses() throws Exception {
        Files.writeString(routeFile, RouteFile.text(pki,
                RouteFile.route("everything", "/") + RouteFile.route("api", "/api"), 8080, ""));
        Result result = check();
        assertEquals(0, result.code(), result.err());
        assertTrue(result.err().contains("warning: routes[1] 'api' can never match"), result.err());
    }

    @Test
    void acceptsTheCertificateAndItsKeyInOneFileAsHaproxyWritesIt() throws Exception {
        // Key first, then the chain, with OpenSSL's "Bag Attributes" text between blocks.
        Files.writeString(pki.serverCertificate, "Bag Attributes\n    friendlyName: gateway\n"
                + Files.readString(pki.serverKey) + PemFiles.toPem(pki.server.chainWithoutRoot().toArray()));
        Files.writeString(routeFile, Files.readString(routeFile).replace(pki.serverKey.toString(),
                pki.serverCertificate.toString()));
        Result result = check();
        assertEquals(0, result.code(), result.err());
        assertTrue(result.out().contains("server certificate: CN=gateway, expires"), result.out());
        assertTrue(result.out().contains("(key matches)"), result.out());
    }

    @Test
    void saysWhatARefusedFileHoldsInsteadOfWhatWasExpected() throws Exception {
        Files.copy(pki.serverKey, pki.serverCertificate, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        PemFiles.write(pki.serverKey, pki.server.certificate());
        Result result = check();
        assertEquals(2, result.code());
        assertTrue(result.err().contains(pki.serverCertificate + ": holds a PRIVATE KEY block but no CERTIFICATE"),
                result.err());
        assertTrue(result.err().contains(pki.serverKey + ": holds a CERTIFICATE block but no private key"),
                result.err());
        assertFalse(result.err().contains("Exception") || result.err().contains("signed fields"), result.err());
    }

    @Test
    void listsEveryProblemWithItsFileAndExitsTwo() throws Exception {
        // Two problems at once: a key of another certificate, and a leaf in the CA bundle.
        PemFiles.writePrivateKey(pki.serverKey, pki.client("other", null).privateKey());
        PemFiles.write(pki.clientCaFile, pki.clientCa.certificate(), pki.client("leaf", null).certificate());
        Result result = check();
        assertEquals(2, result.code());
        assertTrue(result.err().contains(pki.serverKey + ": the private key does not belong"), result.err());
        assertTrue(result.err().contains(pki.clientCaFile + ": not a CA certificate: CN=leaf,O=Test"), result.err());
        assertTrue(result.err().contains("check failed: 2 problem(s)"), result.err());
    }

    @Test
    void reportsAServerChainInTheWrongOrder() throws Exception {
        var other = new CertificateBuilder().subject("CN=unrelated CA").ca(-1).selfSigned();
        PemFiles.write(pki.serverCertificate, pki.server.certificate(), other.certificate());
        Result result = check();
        assertEquals(2, result.code());
        assertTrue(result.err().contains("is not signed by certificate 2 (CN=unrelated CA)"), result.err());
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 30, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void refusesARouteFileThatIsAFifoInsteadOfBlocking() throws Exception {
        Files.delete(routeFile);
        assertEquals(0, new ProcessBuilder("mkfifo", routeFile.toString()).inheritIO().start().waitFor());
        Result result = check();
        assertEquals(2, result.code());
        assertTrue(result.err().contains(routeFile + ": not a regular file (a folder, FIFO or device)"), result.err());
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 30, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void refusesAMergeKeyThatReferencesItsOwnAnchorAtItsLineAndColumn() throws Exception {
        Files.writeString(routeFile, Files.readString(routeFile) + "x-defaults: &m { <<: *m }\n");
        Result result = check();
        assertEquals(2, result.code());
        assertTrue(result.err().contains(": YAML: alias *m is inside the node it refers to"), result.err());
    }

    @Test
    void reportsRouteFileProblemsWithLineAndColumn() throws Exception {
        Files.writeString(routeFile, Files.readString(routeFile).replace("upstream: echo", "upstream: nowhere"));
        Result result = check();
        assertEquals(2, result.code());
        assertTrue(result.err().contains(routeFile + ":"), result.err());
        assertTrue(result.err().contains("unknown upstream 'nowhere'"), result.err());
    }

    private void withCrl(java.security.cert.X509CRL crl) throws Exception {
        Path file = dir.resolve("clients.crl");
        PemFiles.write(file, crl);
        Files.writeString(routeFile, Files.readString(routeFile).replace("      clientCa: " + pki.clientCaFile + "\n",
                "      clientCa: " + pki.clientCaFile + "\n      crl: [" + file + "]\n"));
    }

    @Test
    void summarisesCrlsAndReportsAStaleOne() throws Exception {
        java.time.Instant now = java.time.Instant.now();
        withCrl(CrlIssuer.issue(pki.clientCa, java.util.List.of(java.math.BigInteger.TEN), now,
                now.plus(java.time.Duration.ofDays(7))));
        Result fresh = check();
        assertEquals(0, fresh.code(), fresh.err());
        assertTrue(fresh.out().contains("CRL: issuer CN=test client CA,O=Test, 1 revoked, next update"), fresh.out());

        // Same file, now past its nextUpdate.
        PemFiles.write(dir.resolve("clients.crl"), CrlIssuer.issue(pki.clientCa, java.util.List.of(),
                now.minus(java.time.Duration.ofDays(2)), now.minus(java.time.Duration.ofDays(1))));
        Result stale = check();
        assertEquals(2, stale.code());
        assertTrue(stale.err().contains("CRL of CN=test client CA,O=Test is stale: nextUpdate was"), stale.err());
    }

    @Test
    void namesTheIssuerOfAStaleUpstreamCrlAsOpenSslPrintsIt() throws Exception {
        // emailAddress is where the JDK's own format differs: it prints 1.2.840.113549.1.9.1=#16...
        var upstreamCa = new CertificateBuilder().subject("CN=upstream CA,EMAILADDRESS=ops@example.com").ca(-1)
                .selfSigned();
        Path caFile = dir.resolve("upstream-ca.pem");
        Path crlFile = dir.resolve("upstream.crl");
        PemFiles.write(caFile, upstreamCa.certificate());
        java.time.Instant now = java.time.Instant.now();
        PemFiles.write(crlFile, CrlIssuer.issue(upstreamCa, java.util.List.of(), now.minus(java.time.Duration.ofDays(2)),
                now.minus(java.time.Duration.ofDays(1))));
        Files.writeString(routeFile, Files.readString(routeFile) + "    tls:\n      ca: " + caFile
                + "\n      crl: [" + crlFile + "]\n");

        Result result = check();

        assertEquals(2, result.code(), result.out());
        assertTrue(result.err().contains("CRL of CN=upstream CA,emailAddress=ops@example.com is stale: nextUpdate was "),
                result.err());
    }

    @Test
    void reportsACrlThatNamesAClientCaButIsNotSignedByIt() throws Exception {
        // Same issuer name as the client CA, another key: a forged or misfiled CRL.
        var impostor = new CertificateBuilder().subject("CN=test client CA,O=Test").ca(-1).selfSigned();
        java.time.Instant now = java.time.Instant.now();
        withCrl(CrlIssuer.issue(impostor, java.util.List.of(), now, now.plus(java.time.Duration.ofDays(7))));
        Result result = check();
        assertEquals(2, result.code());
        assertTrue(result.err().contains("CRL issued by CN=test client CA,O=Test is not signed by that CA"),
                result.err());
    }

    private void writeJwtRouteFile(String jwks) throws Exception {
        String jwt = "jwt:\n  idp:\n    issuer: https://idp.example\n    audiences: [api]\n    jwks: " + jwks + "\n";
        Files.writeString(routeFile, RouteFile.text(pki, RouteFile.route("api", "/api")
                + "    jwt: { issuer: idp }\n", 8080, jwt));
    }

    @Test
    void printsTheKeyIdsAndAlgorithmsOfAJwksFile() throws Exception {
        io.mtlsgateway.gateway.testing.TestIssuer es = io.mtlsgateway.gateway.testing.TestIssuer.create("ES256", "k-ec");
        io.mtlsgateway.gateway.testing.TestIssuer ed = io.mtlsgateway.gateway.testing.TestIssuer.create("EdDSA", "k-ed");
        Files.writeString(dir.resolve("jwks.json"), es.jwks(ed));
        writeJwtRouteFile("{ file: jwks.json }");
        Result result = check();
        assertEquals(0, result.code(), result.err());
        assertTrue(result.out().contains("jwt issuer idp: JWKS file " + dir.resolve("jwks.json")), result.out());
        assertTrue(result.out().contains("  key kid 'k-ec': EC P-256, alg ES256\n"), result.out());
        assertTrue(result.out().contains("  key kid 'k-ed': OKP Ed25519, alg EdDSA\n"), result.out());
    }

    @Test
    void failsOnAJwksFileWithoutUsableKeys() throws Exception {
        Files.writeString(dir.resolve("jwks.json"), "{\"keys\": [{\"kty\": \"oct\", \"k\": \"c2VjcmV0\"}]}");
        writeJwtRouteFile("{ file: jwks.json }");
        Result result = check();
        assertEquals(Main.EXIT_USAGE, result.code(), result.out());
        assertTrue(result.err().contains(dir.resolve("jwks.json") + ": no usable signing key (key without kid left out:"
                + " key type oct"), result.err());
    }

    @Test
    void namesAJwksUrlWithoutFetchingIt() throws Exception {
        writeJwtRouteFile("{ url: \"https://idp.example/jwks.json\" }");
        Result result = check();
        assertEquals(0, result.code(), result.err());
        assertTrue(result.out().contains("jwt issuer idp: JWKS URL https://idp.example/jwks.json (fetched at start,"
                + " not by check)"), result.out());
    }
}
