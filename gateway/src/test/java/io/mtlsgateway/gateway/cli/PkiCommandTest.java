package io.mtlsgateway.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.DevCa;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.OpenSslCli;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pki commands driven in-process, as an operator types them. */
class PkiCommandTest {
    @TempDir
    Path tmp;

    private record Run(int exitCode, String out, String err) {
        void assertNoSecretsOrStackTraces() {
            assertFalse((out + err).contains("PRIVATE KEY"), "never print a private key");
            assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace for an operator: " + err);
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        Run result = new Run(code, out.toString(), err.toString());
        result.assertNoSecretsOrStackTraces();
        return result;
    }

    private String dir() {
        return tmp.resolve("ca").toString();
    }

    @Test
    void initPrintsWhereTheCaWasWritten() {
        Run init = run("pki", "init", "--dir", dir());

        assertEquals(0, init.exitCode(), init.err());
        Path abs = tmp.resolve("ca").toAbsolutePath();
        assertTrue(init.out().contains(abs.resolve("ca.pem").toString()), init.out());
        assertTrue(init.out().contains(abs.resolve("ca.key").toString()), init.out());
        assertTrue(init.out().contains(abs.resolve("ca.crl").toString()), init.out());
        assertTrue(init.out().contains("CN=mtls-gateway dev root CA"), init.out());
        assertEquals("", init.err());
    }

    @Test
    void issuingAClientPrintsPathsSubjectSerialAndExpiry() throws Exception {
        run("pki", "init", "--dir", dir());

        Run issue = run("pki", "issue", "--dir", dir(), "--client", "web",
                "--spiffe", "spiffe://example.org/ns/prod/sa/web", "--days", "10");

        assertEquals(0, issue.exitCode(), issue.err());
        Path certFile = tmp.resolve("ca/web.pem").toAbsolutePath();
        X509Certificate cert = PemFiles.readCertificates(certFile).get(0);
        assertTrue(issue.out().contains(certFile.toString()), issue.out());
        assertTrue(issue.out().contains(certFile.resolveSibling("web.key").toString()), issue.out());
        assertTrue(issue.out().contains("CN=web"), issue.out());
        assertTrue(issue.out().contains(cert.getSerialNumber().toString(16)), issue.out());
        assertTrue(issue.out().contains(cert.getNotAfter().toInstant().toString()), issue.out());
        assertTrue(issue.out().contains("URI:spiffe://example.org/ns/prod/sa/web"), issue.out());
    }

    @Test
    void certificateNamesArePrintedAsOpenSslPrintsThem() throws Exception {
        run("pki", "init", "--dir", dir());
        // A certificate of this CA whose name is not plain ASCII: Java's X500Principal.getName()
        // prints it raw ("CN=café,O=Bank"); OpenSSL's RFC 2253 form, the one verify and the
        // identity headers use, escapes its UTF-8 bytes.
        IssuedCertificate root = DevCa.open(tmp.resolve("ca")).root();
        Path cert = tmp.resolve("cafe.pem");
        PemFiles.write(cert, new CertificateBuilder().subject("CN=caf\u00e9,O=Bank").forClient().signedBy(root)
                .certificate());
        IssuedCertificate otherCa = new CertificateBuilder().subject("CN=Caf\u00e9 CA").ca(-1).selfSigned();
        Path foreign = tmp.resolve("foreign.pem");
        PemFiles.write(foreign, new CertificateBuilder().subject("CN=caf\u00e9").forClient().signedBy(otherCa)
                .certificate());

        Run revoke = run("pki", "revoke", "--dir", dir(), cert.toString());
        Run refused = run("pki", "revoke", "--dir", dir(), foreign.toString());

        assertEquals(0, revoke.exitCode(), revoke.err());
        assertTrue(revoke.out().contains("(CN=caf\\C3\\A9,O=Bank)"), revoke.out());
        assertTrue(refused.err().contains(foreign + ": CN=caf\\C3\\A9 was not issued by this dev CA (its issuer:"
                + " CN=Caf\\C3\\A9 CA; this CA: CN=mtls-gateway dev root CA in "), refused.err());
        if (OpenSslCli.available()) {
            assertEquals("CN=caf\\C3\\A9,O=Bank", OpenSslCli.subject(cert));
        }
    }

    @Test
    void issuingAServerWithRsaGivesAnRsa2048CertificateWithItsSans() throws Exception {
        run("pki", "init", "--dir", dir());

        Run issue = run("pki", "issue", "--dir", dir(), "--server", "gateway", "--dns", "localhost",
                "--ip", "127.0.0.1", "--rsa");

        assertEquals(0, issue.exitCode(), issue.err());
        X509Certificate cert = PemFiles.readCertificates(tmp.resolve("ca/gateway.pem")).get(0);
        assertEquals(2048, ((RSAPublicKey) cert.getPublicKey()).getModulus().bitLength());
        assertTrue(issue.out().contains("DNS:localhost, IP:127.0.0.1"), issue.out());
    }

    @Test
    void clientAndServerTogetherIsBadUsage() {
        run("pki", "init", "--dir", dir());

        Run issue = run("pki", "issue", "--dir", dir(), "--client", "a", "--server", "b", "--dns", "x");

        assertEquals(Main.EXIT_USAGE, issue.exitCode());
        assertTrue(issue.err().contains("mutually exclusive"), issue.err());
    }

    @Test
    void spiffeIdOnAServerCertificateIsBadUsage() {
        run("pki", "init", "--dir", dir());

        Run issue = run("pki", "issue", "--dir", dir(), "--server", "gw", "--dns", "localhost",
                "--spiffe", "spiffe://example.org/gw");

        assertEquals(Main.EXIT_USAGE, issue.exitCode());
        assertTrue(issue.err().contains("--spiffe applies to --client only"), issue.err());
    }

    @Test
    void unsafeNameExitsTwoWithTheReasonOnStderr() {
        run("pki", "init", "--dir", dir());

        Run issue = run("pki", "issue", "--dir", dir(), "--client", "../../etc/evil");

        assertEquals(Main.EXIT_USAGE, issue.exitCode());
        assertTrue(issue.err().startsWith("mtls-gateway pki issue: name: '../../etc/evil'"), issue.err());
        assertEquals("", issue.out());
    }

    @Test
    void issuingWithoutACaExitsTwoAndSaysToRunInit() {
        Run issue = run("pki", "issue", "--dir", dir(), "--client", "web");

        assertEquals(Main.EXIT_USAGE, issue.exitCode());
        assertTrue(issue.err().contains("run `mtls-gateway pki init --dir " + dir() + "` first"), issue.err());
    }

    @Test
    void initTwiceExitsOneAndKeepsTheFirstCa() throws Exception {
        run("pki", "init", "--dir", dir());
        String root = Files.readString(tmp.resolve("ca/ca.pem"));

        Run again = run("pki", "init", "--dir", dir());

        assertEquals(Main.EXIT_REJECTED, again.exitCode());
        assertTrue(again.err().contains("a dev CA already exists"), again.err());
        assertEquals(root, Files.readString(tmp.resolve("ca/ca.pem")));
    }

    @Test
    void revokeHintsToPublishAndCrlThenListsTheSerial() throws Exception {
        run("pki", "init", "--dir", dir());
        run("pki", "issue", "--dir", dir(), "--client", "web");
        Path certFile = tmp.resolve("ca/web.pem");
        BigInteger serial = PemFiles.readCertificates(certFile).get(0).getSerialNumber();

        Run revoke = run("pki", "revoke", "--dir", dir(), certFile.toString());
        Run crl = run("pki", "crl", "--dir", dir(), "--days", "2");

        assertEquals(0, revoke.exitCode(), revoke.err());
        assertTrue(revoke.out().contains("Revoked serial " + serial.toString(16)), revoke.out());
        assertTrue(revoke.out().contains("run `mtls-gateway pki crl --dir " + dir() + "`"), revoke.out());
        assertEquals(0, crl.exitCode(), crl.err());
        assertTrue(crl.out().contains("1 certificate(s)"), crl.out());
        assertTrue(crl.out().contains("CRL number:  2"), crl.out());
        X509CRL published = PemFiles.readCrls(tmp.resolve("ca/ca.crl")).get(0);
        assertNotNull(published.getRevokedCertificate(serial));
    }

    @Test
    void revokingAForeignCertificateExitsOneNamingTheFile() throws Exception {
        run("pki", "init", "--dir", dir());
        IssuedCertificate otherCa = new CertificateBuilder().subject("CN=Other CA").ca(-1).selfSigned();
        Path foreign = tmp.resolve("foreign.pem");
        PemFiles.write(foreign, new CertificateBuilder().subject("CN=mallory").forClient().signedBy(otherCa).certificate());

        Run revoke = run("pki", "revoke", "--dir", dir(), foreign.toString());

        assertEquals(Main.EXIT_REJECTED, revoke.exitCode());
        assertTrue(revoke.err().contains(foreign + ": CN=mallory was not issued by this dev CA"), revoke.err());
        assertEquals("", revoke.out());
    }

    @Test
    void revokingAMissingFileIsBadUsage() {
        run("pki", "init", "--dir", dir());

        Run revoke = run("pki", "revoke", "--dir", dir(), tmp.resolve("nope.pem").toString());

        assertEquals(Main.EXIT_USAGE, revoke.exitCode());
        assertTrue(revoke.err().contains(tmp.resolve("nope.pem") + ": not found"), revoke.err());
    }

    @Test
    void pkiWithoutSubcommandIsBadUsage() {
        Run pki = run("pki");

        assertEquals(Main.EXIT_USAGE, pki.exitCode());
        assertTrue(pki.err().contains("Missing required subcommand"), pki.err());
    }
}
