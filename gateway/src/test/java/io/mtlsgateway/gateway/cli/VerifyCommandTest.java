package io.mtlsgateway.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.ClientChains;
import io.mtlsgateway.gateway.testing.ClientChains.Case;
import io.mtlsgateway.gateway.testing.OcspResponder;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** {@code mtls-gateway verify}, in-process: the same verdicts as the proxy, written for people. */
class VerifyCommandTest {
    @TempDir
    static Path dir;

    static ClientChains chains;
    static final AtomicInteger files = new AtomicInteger();

    @BeforeAll
    static void setUp() throws Exception {
        chains = new ClientChains(dir);
    }

    record Run(int exit, String out, String err) {}

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

    /** The certificate as a client would hold it: leaf, then the intermediates it sends. */
    private static String certFile(IssuedCertificate cert) throws IOException {
        Path file = dir.resolve("client-" + files.incrementAndGet() + ".pem");
        PemFiles.write(file, ClientChains.sent(cert).toArray());
        return file.toString();
    }

    private static List<String> withCrls(String... args) {
        List<String> all = new ArrayList<>();
        all.addAll(List.of("--trust", chains.clientCaFile.toString()));
        for (Path crl : chains.crlFiles()) {
            all.addAll(List.of("--crl", crl.toString()));
        }
        all.addAll(List.of(args));
        return all;
    }

    static List<Case> rejections() {
        return chains.rejections();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void printsTheReasonAndWhatToDoAndExits1(Case rejection) throws IOException {
        Run run = verify(withCrls(certFile(rejection.client())).toArray(String[]::new));
        assertEquals(1, run.exit(), run.out() + run.err());
        assertTrue(run.out().startsWith("rejected: " + rejection.expected().label() + ": "), run.out());
        assertTrue(run.out().contains(rejection.explains()), run.out());
        assertTrue(run.out().contains("What to do:"), run.out());
        // Written for people: no Java exception text, OIDs by name.
        assertFalse(run.out().contains("Exception") || run.out().contains("java."), run.out());
        assertFalse(run.out().contains("1.3.6.1.5.5.7.3.") || run.out().contains("2.5.29."), run.out());
    }

    @Test
    void namesExtendedKeyUsagesInsteadOfPrintingTheirOids() throws IOException {
        Case serverOnly = chains.rejections().stream().filter(c -> c.name().equals("EKU serverAuth only"))
                .findFirst().orElseThrow();
        Run run = verify(withCrls(certFile(serverOnly.client())).toArray(String[]::new));
        assertTrue(run.out().contains("has extended key usage serverAuth without clientAuth"), run.out());
    }

    @Test
    void aFileThatIsNotACertificateIsDescribedNotDumped() throws IOException {
        Path garbage = dir.resolve("garbage.pem");
        java.nio.file.Files.write(garbage, new byte[] {0x30, 0x03, 0x02, 0x01, 0x05});
        Run run = verify("--trust", chains.clientCaFile.toString(), garbage.toString());
        assertEquals(2, run.exit());
        assertEquals("verify: " + garbage + ": neither PEM nor a DER certificate (expected: PEM blocks"
                + " 'BEGIN CERTIFICATE')\n", run.err());
    }

    @Test
    void printsTheIdentityAsJsonAndExits0() throws IOException {
        Run run = verify(withCrls(certFile(chains.good)).toArray(String[]::new));
        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("\"subject\": \"CN=good,O=Test\""), run.out());
        assertTrue(run.out().contains("\"spiffe\": \"spiffe://test.example/ns/prod/sa/good\""), run.out());
        assertTrue(run.out().contains("\"issuer\": \"CN=verify intermediate CA,O=Test\""), run.out());
        assertTrue(run.out().contains("\"fingerprint\": \""), run.out());
        assertTrue(run.out().contains("\"notAfter\": \""), run.out());
    }

    @Test
    void completesTheChainFromIntermediatesGivenOnTheCommandLine() throws IOException {
        Path leafOnly = dir.resolve("leaf-only.pem");
        PemFiles.write(leafOnly, chains.good.certificate());
        Path intermediates = dir.resolve("intermediates.pem");
        PemFiles.write(intermediates, chains.intermediate.certificate());
        assertEquals(1, verify("--trust", chains.clientCaFile.toString(), leafOnly.toString()).exit());
        Run run = verify("--trust", chains.clientCaFile.toString(), "--intermediates", intermediates.toString(),
                leafOnly.toString());
        assertEquals(0, run.exit(), run.out() + run.err());
    }

    @Test
    void judgesAtTheTimeGivenWithAt() throws IOException {
        String later = Instant.now().plus(Duration.ofDays(400)).toString();
        Run run = verify("--trust", chains.clientCaFile.toString(), "--at", later, certFile(chains.good));
        assertEquals(1, run.exit());
        assertTrue(run.out().startsWith("rejected: expired: "), run.out());
    }

    @Test
    void asksTheOcspResponderWhenTold() throws IOException {
        try (OcspResponder responder = OcspResponder.start(chains.intermediate)) {
            IssuedCertificate client = ClientChains.leaf("cli-ocsp").ocspResponder(responder.uri())
                    .signedBy(chains.intermediate);
            responder.answer(client.certificate().getSerialNumber(), OcspResponder.Answer.REVOKED);
            String cert = certFile(client);
            assertEquals(0, verify("--trust", chains.clientCaFile.toString(), cert).exit());
            Run run = verify("--trust", chains.clientCaFile.toString(), "--ocsp", "soft-fail", cert);
            assertEquals(1, run.exit());
            assertTrue(run.out().startsWith("rejected: revoked: "), run.out());
        }
    }

    @Test
    void missingFileIsBadUsageNamingTheFile() {
        Run run = verify("--trust", dir.resolve("nope.pem").toString(), dir.resolve("also-nope.pem").toString());
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("nope.pem"), run.err());
    }

    @Test
    void aLeafAsTrustAnchorIsBadUsage() throws IOException {
        String leaf = certFile(chains.good);
        Run run = verify("--trust", leaf, leaf);
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("not a CA certificate"), run.err());
    }

    @Test
    void unknownOcspModeOrTimeIsBadUsage() throws IOException {
        String cert = certFile(chains.good);
        assertEquals(2, verify("--trust", chains.clientCaFile.toString(), "--ocsp", "maybe", cert).exit());
        assertEquals(2, verify("--trust", chains.clientCaFile.toString(), "--at", "tomorrow", cert).exit());
    }

    @Test
    void aNegativeVerifyDepthIsBadUsageWithoutAStackTrace() throws IOException {
        Run run = verify("--trust", chains.clientCaFile.toString(), "--verify-depth", "-5", certFile(chains.good));
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("--verify-depth: -5 (expected: >= 0)"), run.err());
        assertFalse(run.err().contains("\tat "), run.err());
    }
}
