package io.mtlsgateway.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.MalformedCertificates;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code verify --purpose server [--name]}: an upstream's certificate as the gateway judges it. */
class VerifyServerPurposeTest {
    @TempDir
    static Path dir;

    static Path ca;
    static Path server;
    static Path client;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void setUp() throws Exception {
        IssuedCertificate root = new CertificateBuilder().subject("CN=upstream CA").ca(-1).selfSigned();
        IssuedCertificate serverCert = new CertificateBuilder().subject("CN=ledger").forServer()
                .dns("ledger.internal", "*.svc.internal").ip("10.0.0.7").signedBy(root);
        IssuedCertificate clientCert = new CertificateBuilder().subject("CN=app").forClient().signedBy(root);
        ca = dir.resolve("ca.pem");
        server = dir.resolve("server.pem");
        client = dir.resolve("client.pem");
        PemFiles.write(ca, root.certificate());
        PemFiles.write(server, serverCert.certificate());
        PemFiles.write(client, clientCert.certificate());
    }

    private static Run verify(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("verify"));
        all.addAll(List.of(args));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @ParameterizedTest(name = "--name {0}: exit {1}")
    @CsvSource({
        "ledger.internal, 0",
        "LEDGER.Internal., 0",
        "api.svc.internal, 0",
        "a.b.svc.internal, 1",
        "svc.internal, 1",
        "ledger, 1",
        "10.0.0.7, 0",
        "10.0.0.8, 1",
        "ledger.internal.evil.example, 1",
    })
    void checksTheNameAgainstTheSubjectAltNames(String name, int exit) {
        Run run = verify("--purpose", "server", "--name", name, "--trust", ca.toString(), server.toString());
        assertEquals(exit, run.exit(), run.out() + run.err());
        if (exit == 1) {
            assertTrue(run.out().startsWith("rejected: name_mismatch: "), run.out());
            assertTrue(run.out().contains("DNS:ledger.internal, DNS:*.svc.internal, IP:10.0.0.7"), run.out());
        } else {
            assertTrue(run.out().contains("\"subject\": \"CN=ledger\""), run.out());
        }
    }

    @Test
    void withoutANameChecksTheChainOnly() {
        assertEquals(0, verify("--purpose", "server", "--trust", ca.toString(), server.toString()).exit());
    }

    @Test
    void eachPurposeRefusesTheOthersCertificate() {
        Run asServer = verify("--purpose", "server", "--trust", ca.toString(), client.toString());
        assertEquals(1, asServer.exit());
        assertTrue(asServer.out().startsWith("rejected: bad_usage: server certificate"), asServer.out());
        assertTrue(asServer.out().contains("without serverAuth"), asServer.out());
        Run asClient = verify("--trust", ca.toString(), server.toString());
        assertEquals(1, asClient.exit());
        assertTrue(asClient.out().contains("without clientAuth"), asClient.out());
    }

    @ParameterizedTest(name = "--purpose {0}")
    @ValueSource(strings = {"client", "server"})
    void anUnparseableCertificateIsRejectedAsMalformed(String purpose) throws Exception {
        Path bad = MalformedCertificates.explicitEcParameters(dir.resolve("explicit-" + purpose + ".pem"));
        Run run = verify("--purpose", purpose, "--trust", ca.toString(), bad.toString());
        assertEquals(1, run.exit(), run.out() + run.err());
        assertTrue(run.out().startsWith("rejected: malformed: " + bad
                + ": line 1: the CERTIFICATE block is not a valid X.509 certificate"), run.out());
        assertTrue(run.out().contains("What to do:"), run.out());
    }

    @Test
    void mismatchedOptionsAreBadUsage() {
        assertEquals(2, verify("--name", "ledger.internal", "--trust", ca.toString(), server.toString()).exit());
        assertEquals(2, verify("--purpose", "peer", "--trust", ca.toString(), server.toString()).exit());
        assertEquals(2, verify("--purpose", "server", "--name", "*.svc.internal", "--trust", ca.toString(),
                server.toString()).exit());
        assertEquals(2, verify("--purpose", "server", "--require-eku", "--trust", ca.toString(),
                server.toString()).exit());
        assertEquals(2, verify("--purpose", "server", "--ocsp", "soft-fail", "--trust", ca.toString(),
                server.toString()).exit());
    }

    @Test
    void requireEkuRefusesAClientLeafWithoutOne() throws Exception {
        IssuedCertificate root = new CertificateBuilder().subject("CN=eku CA").ca(-1).selfSigned();
        Path rootFile = dir.resolve("eku-ca.pem");
        Path leaf = dir.resolve("no-eku.pem");
        PemFiles.write(rootFile, root.certificate());
        PemFiles.write(leaf, new CertificateBuilder().subject("CN=no eku").signedBy(root).certificate());
        assertEquals(0, verify("--trust", rootFile.toString(), leaf.toString()).exit());
        Run run = verify("--require-eku", "--trust", rootFile.toString(), leaf.toString());
        assertEquals(1, run.exit());
        assertTrue(run.out().startsWith("rejected: bad_usage: "), run.out());
    }
}
