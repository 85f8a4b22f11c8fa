package io.mtlsgateway.gateway.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DevCaTest {
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String SPIFFE_ID = "spiffe://example.org/ns/prod/sa/web";

    @TempDir
    Path tmp;

    @Test
    void initWritesTenYearP256RootAndEmptySignedCrl() throws Exception {
        DevCa ca = DevCa.init(tmp.resolve("ca"), KeyType.EC_P256);

        X509Certificate root = PemFiles.readCertificates(ca.caCertificate()).get(0);
        assertEquals("CN=mtls-gateway dev root CA", root.getSubjectX500Principal().getName());
        assertEquals(root, ca.root().certificate());
        assertTrue(root.getBasicConstraints() >= 0, "root is a CA");
        assertTrue(root.getKeyUsage()[5] && root.getKeyUsage()[6], "keyCertSign and cRLSign");
        assertEquals(256, ((ECPublicKey) root.getPublicKey()).getParams().getCurve().getField().getFieldSize());
        long days = Duration.between(root.getNotBefore().toInstant(), root.getNotAfter().toInstant()).toDays();
        assertTrue(days >= 3650 && days <= 3651, "10 years, was " + days + " days");
        root.verify(root.getPublicKey());

        X509CRL crl = PemFiles.readCrls(ca.crl()).get(0);
        crl.verify(root.getPublicKey());
        assertNull(crl.getRevokedCertificates());
        assertEquals(BigInteger.ONE, CrlIssuer.crlNumber(crl));
        assertEquals(Duration.ofDays(7), Duration.between(crl.getThisUpdate().toInstant(), crl.getNextUpdate().toInstant()));
    }

    @Test
    void initKeepsTheCaKeyAndFolderOwnerOnly() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        DevCa ca = DevCa.init(tmp.resolve("ca"), KeyType.EC_P256);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ca.dir().resolve("ca.key"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ca.dir())));
    }

    @Test
    void initRefusesAFolderThatAlreadyHoldsACa() throws Exception {
        DevCa first = DevCa.init(tmp, KeyType.EC_P256);
        byte[] rootBefore = Files.readAllBytes(first.caCertificate());

        IOException e = assertThrows(IOException.class, () -> DevCa.init(tmp, KeyType.EC_P256));

        assertTrue(e.getMessage().contains("a dev CA already exists in " + tmp.toAbsolutePath()), e.getMessage());
        assertTrue(java.util.Arrays.equals(rootBefore, Files.readAllBytes(first.caCertificate())), "root untouched");
    }

    @Test
    void openOfAnUninitialisedFolderNamesTheMissingFileAndTheFix() {
        IOException e = assertThrows(IOException.class, () -> DevCa.open(tmp));

        assertTrue(e.getMessage().contains(tmp.toAbsolutePath().resolve("ca.pem").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("run `mtls-gateway pki init --dir " + tmp + "` first"), e.getMessage());
    }

    @Test
    void openLoadsTheSameRootKeyAndRevocations() throws Exception {
        DevCa created = DevCa.init(tmp, KeyType.EC_P256);
        Path alice = created.issueClient("alice", List.of(), List.of(), 30, KeyType.EC_P256);
        created.revoke(alice);

        DevCa opened = DevCa.open(tmp);

        assertEquals(created.root().certificate(), opened.root().certificate());
        // Compared by scalar (providers encode PKCS#8 differently) and never printed: no key material in failures.
        assertTrue(((java.security.interfaces.ECPrivateKey) created.root().privateKey()).getS()
                .equals(((java.security.interfaces.ECPrivateKey) opened.root().privateKey()).getS()), "same CA key");
        assertEquals(Set.of(serialOf(alice)), opened.revokedSerials());
    }

    @Test
    void openRefusesACaKeyThatDoesNotBelongToTheCertificate() throws Exception {
        DevCa.init(tmp.resolve("a"), KeyType.EC_P256);
        DevCa other = DevCa.init(tmp.resolve("b"), KeyType.EC_P256);
        Files.copy(other.dir().resolve("ca.key"), tmp.resolve("a/ca.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        IOException e = assertThrows(IOException.class, () -> DevCa.open(tmp.resolve("a")));

        assertTrue(e.getMessage().contains("is not the private key of"), e.getMessage());
    }

    @Test
    void clientCertificateChainsToTheRootWithClientAuthAndSpiffeIdSan() throws Exception {
        DevCa ca = DevCa.init(tmp, KeyType.EC_P256);

        Path certFile = ca.issueClient("web", List.of(SPIFFE_ID), List.of("web.internal.example"), 30, KeyType.EC_P256);

        assertEquals(tmp.toAbsolutePath().resolve("web.pem"), certFile);
        List<X509Certificate> chain = PemFiles.readCertificates(certFile);
        assertEquals(1, chain.size(), "the root signs leaves directly, so the chain is the leaf alone");
        X509Certificate cert = chain.get(0);
        cert.verify(ca.root().certificate().getPublicKey());
        validate(cert, ca.root().certificate(), List.of());
        assertEquals("CN=web", cert.getSubjectX500Principal().getName());
        assertEquals(List.of(CLIENT_AUTH), cert.getExtendedKeyUsage());
        assertTrue(cert.getKeyUsage()[0], "digitalSignature");
        assertEquals(-1, cert.getBasicConstraints(), "not a CA");
        assertEquals(List.of(List.of(6, SPIFFE_ID), List.of(2, "web.internal.example")),
                List.copyOf(cert.getSubjectAlternativeNames()));
        long days = Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()).toDays();
        assertEquals(30, days);
    }

    @Test
    void issuedKeyIsOwnerOnlyAndMatchesItsCertificate() throws Exception {
        DevCa ca = DevCa.init(tmp, KeyType.EC_P256);

        Path certFile = ca.issueClient("web", List.of(SPIFFE_ID), List.of(), 30, KeyType.EC_P256);

        Path keyFile = tmp.resolve("web.key");
        PrivateKey key = PemFiles.readPrivateKey(keyFile);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(new byte[] {1, 2, 3});
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(PemFiles.readCertificates(certFile).get(0).getPublicKey());
        verifier.update(new byte[] {1, 2, 3});
        assertTrue(verifier.verify(signer.sign()), "key and certificate belong together");
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
    }

    @Test
    void rsaKeyTypeGivesRsa2048CertificatesUnderAnRsaRoot() throws Exception {
        DevCa ca = DevCa.init(tmp, KeyType.RSA_2048);

        X509Certificate cert = PemFiles.readCertificates(
                ca.issueClient("legacy", List.of(), List.of(), 30, KeyType.RSA_2048)).get(0);

        assertEquals(2048, ((RSAPublicKey) cert.getPublicKey()).getModulus().bitLength());
        assertEquals(2048, ((RSAPublicKey) ca.root().certificate().getPublicKey()).getModulus().bitLength());
        assertEquals("SHA256withRSA", cert.getSigAlgName());
        validate(cert, ca.root().certificate(), List.of());
    }

    @Test
    void serverCertificateHasServerAuthAndDnsAndIpSans() throws Exception {
        DevCa ca = DevCa.init(tmp, KeyType.EC_P256);

        X509Certificate cert = PemFiles.readCertificates(
                ca.issueServer("gateway", List.of("localhost", "*.internal.example"), List.of("127.0.0.1", "::1"), 30,
                        KeyType.EC_P256)).get(0);

        validate(cert, ca.root().certificate(), List.of());
        assertEquals("CN=gateway", cert.getSubjectX500Principal().getName());
        assertEquals(List.of(SERVER_AUTH), cert.getExtendedKeyUsage());
        assertEquals(List.of(List.of(2, "localhost"), List.of(2, "*.internal.example"), List.of(7, "127.0.0.1"),
                List.of(7, "0:0:0:0:0:0:0:1")), List.copyOf(cert.getSubjectAlternativeNames()));
    }

    @Test
    void serverCertificateWithoutAnyDnsNameOrIpIsRejected() throws Exception {
        DevCa ca = DevCa.init(tmp, KeyType.EC_P256);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ca.issueServer("gateway", List.of(), List.of(), 30, KeyType.EC_P256));

        assertTrue(e.getMessage().contains("no DNS name or IP address"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("gateway.pem")));
    }

    @Test
    void hostNameIsNotAcceptedAsIpAddress() throws Exception {
        DevCa ca = DevCa.init(tmp, KeyType.EC_P256);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ca.issueServer("gateway", List.of(), List.of("localhost"), 30, KeyType.EC_P256));

        assertTrue(e.getMessage().contains("IP address 'localhost'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape", "a/b", ".hidden", "-flag", "CN=x,O=evil", "a,b", "a=b", "a\nb", "a b", "",
        "ca", "CA", "ünïcode", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void unsafeNamesAreRejectedBeforeAnyFileIsWritten(String name) throws Exception {
        DevCa ca = DevCa.init(tmp.resolve("ca"), KeyType.EC_P256);
        Set<Path> before = listing(ca.dir());

        assertThrows(IllegalArgumentException.class,
                () -> ca.issueClient(name, List.of(), List.of(), 30, KeyType.EC_P256));
        assertThrows(IllegalArgumentException.class,
                () -> ca.issueServer(name, List.of("localhost"), List.of(), 30, KeyType.EC_P256));

        assertEquals(before, listing(ca.dir()));
        assertEquals(Set.of(ca.dir()), listing(tmp).stream().filter(Files::isDirectory).collect(java.util.stream.Collectors.toSet()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://example.org/web", "spiffe://Example.org/web", "spiffe://example.org",
        "spiffe://example.org/", "spiffe://example.org/a//b", "spiffe://example.org/../admin",
        "spiffe://example.org:8443/web", "spiffe://user@example.org/web", "spiffe://example.org/web?x=1",
        "spiffe://example.org/web#frag"})
    void malformedSpiffeIdsAreRejected(String id) throws Exception {
        DevCa ca = DevCa.init(tmp, KeyType.EC_P256);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ca.issueClient("web", List.of(id), List.of(), 30, KeyType.EC_P256));

        assertTrue(e.getMessage().startsWith("SPIFFE ID '" + id + "'"), e.getMessage());
    }

    @Test
    void moreThanOneSpiffeIdIsRejectedBecauseAnSvidCarriesExactlyOne() throws Exception {
        DevCa ca = DevCa.init(tmp, KeyType.EC_P256);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ca.issueClient("web",
                List.of(SPIFFE_ID, "spiffe://example.org/other"), List.of(), 30, KeyType.EC_P256));

        assertTrue(e.getMessage().contains("at most one"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 826})
    void lifetimesOutsideOneTo825DaysAreRejected(int days) throws Exception {
        DevCa ca = DevCa.init(tmp, KeyType.EC_P256);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ca.issueClient("web", List.of(), List.of(), days, KeyType.EC_P256));

        assertEquals("days: " + days + " (expected: 1 to 825)", e.getMessage());
    }

    @Test
    void weakKeysAreRefused() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> DevCa.init(tmp, KeyType.RSA_1024));
        DevCa ca = DevCa.init(tmp, KeyType.EC_P256);
        assertThrows(IllegalArgumentException.class,
                () -> ca.issueClient("web", List.of(), List.of(), 30, KeyType.RSA_1024));
    }

    @Test
    void reissuingANameReplacesCertificateAndKeyForRotation() throws Exception {
        DevCa ca = DevCa.init(tmp, KeyType.EC_P256);
        Path first = ca.issueClient("web", List.of(SPIFFE_ID), List.of(), 30, KeyType.EC_P256);
        BigInteger firstSerial = serialOf(first);
        String firstKey = Files.readString(tmp.resolve("web.key"));

        Path second = ca.issueClient("web", List.of(SPIFFE_ID), List.of(), 30, KeyType.EC_P256);

        assertEquals(first, second);
        assertNotEquals(firstSerial, serialOf(second));
        assertNotEquals(firstKey, Files.readString(tmp.resolve("web.key")));
    }

    @Test
    void revokeRecordsTheSerialButLeavesThePublishedCrlAlone() throws Exception {
        DevCa ca = DevCa.init(tmp, KeyType.EC_P256);
        Path alice = ca.issueClient("alice", List.of(), List.of(), 30, KeyType.EC_P256);
        byte[] crlBefore = Files.readAllBytes(ca.crl());

        ca.revoke(alice);

        assertEquals(Set.of(serialOf(alice)), ca.revokedSerials());
        assertTrue(java.util.Arrays.equals(crlBefore, Files.readAllBytes(ca.crl())), "ca.crl unchanged until writeCrl");
    }

    @Test
    void writtenCrlIsSignedByTheCaListsRevokedSerialsAndHasTheAskedNextUpdate() throws Exception {
        DevCa ca = DevCa.init(tmp, KeyType.EC_P256);
        Path alice = ca.issueClient("alice", List.of(), List.of(), 30, KeyType.EC_P256);
        Path bob = ca.issueClient("bob", List.of(), List.of(), 30, KeyType.EC_P256);
        ca.revoke(alice);

        Path crlFile = ca.writeCrl(Duration.ofDays(3));

        assertEquals(ca.crl(), crlFile);
        X509CRL crl = PemFiles.readCrls(crlFile).get(0);
        crl.verify(ca.root().certificate().getPublicKey());
        assertEquals(ca.root().certificate().getSubjectX500Principal(), crl.getIssuerX500Principal());
        assertNotNull(crl.getRevokedCertificate(serialOf(alice)));
        assertNull(crl.getRevokedCertificate(serialOf(bob)));
        assertEquals(Duration.ofDays(3), Duration.between(crl.getThisUpdate().toInstant(), crl.getNextUpdate().toInstant()));
        assertEquals(BigInteger.TWO, CrlIssuer.crlNumber(crl));
        // The JDK's PKIX validator, given this CRL, rejects alice and accepts bob.
        CertPathValidatorException rejected = assertThrows(CertPathValidatorException.class,
                () -> validate(PemFiles.readCertificates(alice).get(0), ca.root().certificate(), List.of(crl)));
        assertEquals(CertPathValidatorException.BasicReason.REVOKED, rejected.getReason());
        validate(PemFiles.readCertificates(bob).get(0), ca.root().certificate(), List.of(crl));
    }

    @Test
    void everyCrlCarriesALargerCrlNumberThanTheOneBefore() throws Exception {
        DevCa ca = DevCa.init(tmp, KeyType.EC_P256);
        BigInteger first = CrlIssuer.crlNumber(PemFiles.readCrls(ca.writeCrl(Duration.ofDays(1))).get(0));

        BigInteger second = CrlIssuer.crlNumber(PemFiles.readCrls(DevCa.open(tmp).writeCrl(Duration.ofDays(1))).get(0));

        assertEquals(first.add(BigInteger.ONE), second);
    }

    @Test
    void revokingTwiceKeepsOneEntry() throws Exception {
        DevCa ca = DevCa.init(tmp, KeyType.EC_P256);
        Path alice = ca.issueClient("alice", List.of(), List.of(), 30, KeyType.EC_P256);

        ca.revoke(alice);
        ca.revoke(alice);

        X509CRL crl = PemFiles.readCrls(ca.writeCrl(Duration.ofDays(1))).get(0);
        assertEquals(1, crl.getRevokedCertificates().size());
    }

    @Test
    void revokingACertificateFromAnotherCaFailsNamingBothIssuers() throws Exception {
        DevCa ca = DevCa.init(tmp.resolve("ours"), KeyType.EC_P256);
        IssuedCertificate otherRoot = new CertificateBuilder().subject("CN=Other CA").ca(-1).selfSigned();
        Path foreign = tmp.resolve("foreign.pem");
        PemFiles.write(foreign, new CertificateBuilder().subject("CN=mallory").forClient().signedBy(otherRoot).certificate());

        IOException e = assertThrows(IOException.class, () -> ca.revoke(foreign));

        assertTrue(e.getMessage().contains("was not issued by this dev CA"), e.getMessage());
        assertTrue(e.getMessage().contains("CN=Other CA") && e.getMessage().contains(DevCa.ROOT_SUBJECT), e.getMessage());
        assertEquals(Set.of(), ca.revokedSerials());
    }

    @Test
    void revokingACertificateWhoseIssuerNameMatchesButSignatureDoesNotFails() throws Exception {
        DevCa ours = DevCa.init(tmp.resolve("ours"), KeyType.EC_P256);
        DevCa impostor = DevCa.init(tmp.resolve("impostor"), KeyType.EC_P256);
        Path forged = impostor.issueClient("alice", List.of(), List.of(), 30, KeyType.EC_P256);

        IOException e = assertThrows(IOException.class, () -> ours.revoke(forged));

        assertTrue(e.getMessage().contains("was not issued by this dev CA"), e.getMessage());
    }

    @Test
    void revokingTheRootItselfFails() throws Exception {
        DevCa ca = DevCa.init(tmp, KeyType.EC_P256);

        IOException e = assertThrows(IOException.class, () -> ca.revoke(ca.caCertificate()));

        assertTrue(e.getMessage().contains("a CA cannot revoke itself"), e.getMessage());
    }

    private static BigInteger serialOf(Path certFile) throws IOException {
        return PemFiles.readCertificates(certFile).get(0).getSerialNumber();
    }

    private static Set<Path> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.collect(java.util.stream.Collectors.toSet());
        }
    }

    /** The JDK's PKIX validation: chain to the anchor, with revocation checked only when CRLs are given. */
    static void validate(X509Certificate leaf, X509Certificate anchor, List<X509CRL> crls) throws Exception {
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        params.setRevocationEnabled(!crls.isEmpty());
        params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
        CertPathValidator.getInstance("PKIX").validate(
                CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), params);
    }
}
