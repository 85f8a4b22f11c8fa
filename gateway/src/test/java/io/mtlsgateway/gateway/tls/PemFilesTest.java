package io.mtlsgateway.gateway.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.OpenSslCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What PemFiles accepts, and how it says what a refused file holds. */
class PemFilesTest {
    @TempDir
    static Path dir;
    static IssuedCertificate leaf;
    static String certPem;
    static String keyPem;

    @BeforeAll
    static void pki() throws IOException {
        IssuedCertificate ca = new CertificateBuilder().subject("CN=CA").ca(-1).selfSigned();
        leaf = new CertificateBuilder().subject("CN=leaf").forServer().dns("localhost").signedBy(ca);
        certPem = PemFiles.toPem(leaf.certificate(), ca.certificate());
        Path key = dir.resolve("key.pem");
        PemFiles.writePrivateKey(key, leaf.privateKey());
        keyPem = Files.readString(key);
    }

    private static Path file(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private static String refusal(org.junit.jupiter.api.function.Executable read) {
        return assertThrows(IOException.class, read).getMessage();
    }

    @Test
    void readsTheChainAndTheKeyFromOneFileInEitherOrder() throws IOException {
        for (Path combined : new Path[] {file("cert-key.pem", certPem + keyPem), file("key-cert.pem", keyPem + certPem)}) {
            assertEquals(2, PemFiles.readCertificates(combined).size());
            assertEquals(leaf.certificate(), PemFiles.readCertificates(combined).get(0));
            assertTrue(KeyPairCheck.matches(PemFiles.readPrivateKey(combined), leaf.certificate()));
        }
    }

    @Test
    void readsOpenSslsTraditionalEcKeyNextToItsCertificate() throws IOException {
        assumeTrue(OpenSslCli.available(), "openssl is not installed");
        Path key = dir.resolve("ec-traditional.key");
        OpenSslCli.run(List.of("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString()));
        Path cert = dir.resolve("ec-traditional.crt");
        OpenSslCli.run(List.of("openssl", "req", "-x509", "-new", "-key", key.toString(), "-subj", "/CN=haproxy",
                "-days", "2", "-out", cert.toString()));
        Path combined = file("haproxy.pem", Files.readString(cert) + Files.readString(key));
        assertTrue(Files.readString(combined).contains("BEGIN EC PRIVATE KEY"));
        assertTrue(KeyPairCheck.matches(PemFiles.readPrivateKey(combined), PemFiles.readCertificates(combined).get(0)));
    }

    @Test
    void saysWhatARefusedFileHolds() throws IOException {
        Path keyOnly = file("only-key.pem", keyPem);
        assertEquals(keyOnly + ": holds a PRIVATE KEY block but no CERTIFICATE (expected: PEM blocks"
                + " 'BEGIN CERTIFICATE')", refusal(() -> PemFiles.readCertificates(keyOnly)));
        Path certsOnly = file("only-certs.pem", certPem);
        assertEquals(certsOnly + ": holds 2 CERTIFICATE blocks but no private key (expected: an unencrypted PEM"
                + " 'BEGIN PRIVATE KEY', 'BEGIN EC PRIVATE KEY' or 'BEGIN RSA PRIVATE KEY')",
                refusal(() -> PemFiles.readPrivateKey(certsOnly)));
        Path twoKeys = file("two-keys.pem", keyPem + certPem + keyPem);
        assertEquals(twoKeys + ": holds 2 private keys (lines 1, 17; expected: exactly one, the key of the"
                + " certificate)", refusal(() -> PemFiles.readPrivateKey(twoKeys)).replaceAll("lines 1, \\d+", "lines 1, 17"));
        Path empty = file("empty.pem", "");
        assertEquals(empty + ": empty (expected: PEM blocks 'BEGIN CERTIFICATE')",
                refusal(() -> PemFiles.readCertificates(empty)));
    }

    @Test
    void refusesAnEncryptedKeyAndSaysHowToDecryptIt() throws Exception {
        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCSObjectIdentifiers.des_EDE3_CBC)
                .setPassword("secret".toCharArray()).build();
        Path encrypted = file("encrypted.pem", PemFiles.toPem(new JcaPKCS8Generator(leaf.privateKey(), encryptor)
                .generate()));
        assertEquals(encrypted + ": line 1: the private key is encrypted (expected: an unencrypted key; decrypt it"
                + " with: openssl pkey -in " + encrypted + " -out KEY.pem)", refusal(() -> PemFiles.readPrivateKey(encrypted)));
    }

    @Test
    void namesTheLineOfABrokenBlockAndTheFileOfAnUnreadableOne() throws IOException {
        Path unclosed = file("unclosed.pem", "# comment\n-----BEGIN CERTIFICATE-----\nMIIB\n");
        assertEquals(unclosed + ": line 2: the block 'CERTIFICATE' has no END line",
                refusal(() -> PemFiles.readCertificates(unclosed)));
        Path notBase64 = file("bad64.pem", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
        assertEquals(notBase64 + ": line 1: the block 'CERTIFICATE' is not valid base64",
                refusal(() -> PemFiles.readCertificates(notBase64)));
        Path garbled = file("garbled.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertEquals(garbled + ": line 1: the CERTIFICATE block is not a valid X.509 certificate",
                refusal(() -> PemFiles.readCertificates(garbled)));
        Path missing = dir.resolve("missing.pem");
        assertEquals(missing + ": not found", refusal(() -> PemFiles.readCertificates(missing)));
        assertEquals(dir + ": cannot be read (Is a directory)", refusal(() -> PemFiles.readPrivateKey(dir)));
    }
}
