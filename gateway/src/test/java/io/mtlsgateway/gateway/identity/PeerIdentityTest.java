package io.mtlsgateway.gateway.identity;

import static io.mtlsgateway.gateway.identity.TestCertificates.INTERMEDIATE;
import static io.mtlsgateway.gateway.identity.TestCertificates.client;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.pki.IssuedCertificate;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PeerIdentityTest {

    private static final Instant FROM = Instant.parse("2025-01-02T03:04:05Z");
    private static final Instant UNTIL = Instant.parse("2035-01-02T03:04:05Z");

    @Test
    void readsSubjectIssuerSerialValidityAndSansInCertificateOrder() {
        IssuedCertificate leaf = client("CN=mobile-app,OU=Payments,O=Bank")
                .serial(new BigInteger("00ff1a2b", 16))
                .validity(FROM, UNTIL)
                .dns("b.example", "a.example")
                .uri("https://bank.example/app", "spiffe://bank.example/ns/prod/sa/mobile-app")
                .email("ops@bank.example")
                .signedBy(INTERMEDIATE);

        PeerIdentity id = PeerIdentity.of(leaf.chainWithoutRoot());

        assertEquals("CN=mobile-app,OU=Payments,O=Bank", id.subject());
        assertEquals("CN=Clients CA,O=Bank", id.issuer());
        assertEquals("ff1a2b", id.serial());
        assertEquals(Optional.of("spiffe://bank.example/ns/prod/sa/mobile-app"), id.spiffe());
        assertEquals(List.of("b.example", "a.example"), id.sanDns());
        assertEquals(List.of("https://bank.example/app", "spiffe://bank.example/ns/prod/sa/mobile-app"), id.sanUri());
        assertEquals(List.of("ops@bank.example"), id.sanEmail());
        assertEquals(FROM, id.notBefore());
        assertEquals(UNTIL, id.notAfter());
    }

    @Test
    void fingerprintIsLowercaseSha256OfTheLeafDer() throws Exception {
        X509Certificate leaf = client("CN=a").signedBy(INTERMEDIATE).certificate();

        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));

        assertEquals(expected, PeerIdentity.of(List.of(leaf)).fingerprint());
        assertTrue(expected.matches("[0-9a-f]{64}"));
    }

    @Test
    void pemOfLeafAndChainParseBackToTheSameCertificatesLeafFirst() throws Exception {
        IssuedCertificate leaf = client("CN=a").signedBy(INTERMEDIATE);

        PeerIdentity id = PeerIdentity.of(leaf.chainWithoutRoot());

        assertEquals(2, id.chainPem().size());
        assertEquals(id.leafPem(), id.chainPem().get(0));
        assertEquals(leaf.certificate(), parse(id.chainPem().get(0)));
        assertEquals(INTERMEDIATE.certificate(), parse(id.chainPem().get(1)));
        assertTrue(id.leafPem().startsWith("-----BEGIN CERTIFICATE-----\n"));
        assertTrue(id.leafPem().endsWith("\n-----END CERTIFICATE-----\n"));
        assertTrue(!id.leafPem().contains("\r"), "PEM uses \\n line endings on every platform");
    }

    /**
     * The fingerprint and the PEM texts are made on first use; made in any order, from any thread, they are the
     * values of the certificates' DER, and two identities of the same chain are equal (as the record was).
     */
    @Test
    void valuesMadeOnFirstUseAreTheSameInAnyOrderAndIdentitiesOfOneChainAreEqual() throws Exception {
        IssuedCertificate leaf = client("CN=a").uri("spiffe://td/a").signedBy(INTERMEDIATE);
        List<X509Certificate> chain = leaf.chainWithoutRoot();
        String fingerprint = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(leaf.certificate().getEncoded()));

        PeerIdentity pemFirst = PeerIdentity.of(chain);
        List<String> pems = pemFirst.chainPem();
        PeerIdentity fingerprintFirst = PeerIdentity.of(chain);
        assertEquals(fingerprint, fingerprintFirst.fingerprint());

        assertEquals(pems, fingerprintFirst.chainPem());
        assertEquals(pems.get(0), fingerprintFirst.leafPem());
        assertEquals(fingerprint, pemFirst.fingerprint());
        assertEquals(pemFirst, fingerprintFirst);
        assertEquals(pemFirst.hashCode(), fingerprintFirst.hashCode());
        PeerIdentity copy = new PeerIdentity(pemFirst.subject(), pemFirst.issuer(), pemFirst.serial(),
                pemFirst.fingerprint(), pemFirst.spiffe(), pemFirst.sanDns(), pemFirst.sanUri(), pemFirst.sanEmail(),
                pemFirst.notBefore(), pemFirst.notAfter(), pemFirst.leafPem(), pemFirst.chainPem());
        assertEquals(pemFirst, copy);
        assertTrue(!copy.toString().contains("BEGIN CERTIFICATE"), "toString names the client, not its certificate");
    }

    @Test
    void spiffeIsAbsentWhenTheCertificateHasNoSpiffeUri() {
        X509Certificate leaf = client("CN=a").uri("https://a.example/").signedBy(INTERMEDIATE).certificate();

        assertEquals(Optional.empty(), PeerIdentity.of(List.of(leaf)).spiffe());
    }

    @Test
    void spiffeIsAbsentWhenTheCertificateHasTwoSpiffeUrisBecauseTheCallerWouldBeAmbiguous() {
        X509Certificate leaf = client("CN=a").uri("spiffe://td/one", "spiffe://td/two")
                .signedBy(INTERMEDIATE).certificate();

        PeerIdentity id = PeerIdentity.of(List.of(leaf));

        assertEquals(Optional.empty(), id.spiffe());
        assertEquals(List.of("spiffe://td/one", "spiffe://td/two"), id.sanUri());
    }

    @Test
    void certificateWithoutSansHasEmptyLists() {
        PeerIdentity id = PeerIdentity.of(List.of(client("CN=a").signedBy(INTERMEDIATE).certificate()));

        assertEquals(List.of(), id.sanDns());
        assertEquals(List.of(), id.sanUri());
        assertEquals(List.of(), id.sanEmail());
    }

    @Test
    void emptyChainIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> PeerIdentity.of(List.of()));
    }

    private static X509Certificate parse(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }
}
