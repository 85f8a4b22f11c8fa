package io.mtlsgateway.gateway.pki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.Test;

class CrlIssuerTest {
    private static final IssuedCertificate CA = new CertificateBuilder().subject("CN=Test CA").ca(-1).selfSigned();
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void crlIsSignedByTheIssuerAndListsExactlyTheGivenSerials() throws Exception {
        X509CRL crl = CrlIssuer.issue(CA, List.of(BigInteger.valueOf(7), BigInteger.valueOf(9)), NOW,
                NOW.plus(Duration.ofDays(1)));

        crl.verify(CA.certificate().getPublicKey());
        assertEquals(CA.certificate().getSubjectX500Principal(), crl.getIssuerX500Principal());
        assertEquals(2, crl.getRevokedCertificates().size());
        assertNotNull(crl.getRevokedCertificate(BigInteger.valueOf(7)));
        assertNotNull(crl.getRevokedCertificate(BigInteger.valueOf(9)));
        assertNull(crl.getRevokedCertificate(BigInteger.valueOf(8)));
        assertEquals(NOW, crl.getRevokedCertificate(BigInteger.valueOf(7)).getRevocationDate().toInstant());
    }

    @Test
    void thisUpdateAndNextUpdateAreTheGivenInstantsEvenInThePast() {
        Instant lastWeek = Instant.now().minus(Duration.ofDays(7)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant yesterday = lastWeek.plus(Duration.ofDays(6));

        X509CRL expired = CrlIssuer.issue(CA, List.of(), lastWeek, yesterday);

        assertEquals(lastWeek, expired.getThisUpdate().toInstant());
        assertEquals(yesterday, expired.getNextUpdate().toInstant());
        assertTrue(expired.getNextUpdate().toInstant().isBefore(Instant.now()), "an expired CRL, for tests of rejection");
    }

    @Test
    void laterCrlsCarryLargerCrlNumbers() {
        BigInteger earlier = CrlIssuer.crlNumber(CrlIssuer.issue(CA, List.of(), NOW, NOW.plusSeconds(60)));
        BigInteger later = CrlIssuer.crlNumber(CrlIssuer.issue(CA, List.of(), NOW.plusSeconds(1), NOW.plusSeconds(60)));

        assertTrue(later.compareTo(earlier) > 0, earlier + " then " + later);
    }

    @Test
    void explicitCrlNumberAndRevocationDatesAreKept() {
        Instant revokedAt = NOW.minus(Duration.ofHours(3));

        X509CRL crl = CrlIssuer.issue(CA, Map.of(BigInteger.TEN, revokedAt), NOW, NOW.plusSeconds(60),
                BigInteger.valueOf(42));

        assertEquals(BigInteger.valueOf(42), CrlIssuer.crlNumber(crl));
        assertEquals(revokedAt, crl.getRevokedCertificate(BigInteger.TEN).getRevocationDate().toInstant());
    }

    @Test
    void authorityKeyIdentifierMatchesTheIssuersSubjectKeyIdentifier() {
        X509CRL crl = CrlIssuer.issue(CA, List.of(), NOW, NOW.plusSeconds(60));

        byte[] aki = AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(
                crl.getExtensionValue(Extension.authorityKeyIdentifier.getId())).getOctets()).getKeyIdentifier();
        byte[] ski = SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(
                CA.certificate().getExtensionValue(Extension.subjectKeyIdentifier.getId())).getOctets()).getKeyIdentifier();
        assertArrayEquals(ski, aki);
    }

    @Test
    void rsaIssuerSignsWithSha256WithRsa() throws Exception {
        IssuedCertificate rsaCa = new CertificateBuilder().subject("CN=RSA CA").keyType(KeyType.RSA_2048).ca(-1).selfSigned();

        X509CRL crl = CrlIssuer.issue(rsaCa, List.of(BigInteger.ONE), NOW, NOW.plusSeconds(60));

        crl.verify(rsaCa.certificate().getPublicKey());
        assertEquals("SHA256withRSA", crl.getSigAlgName());
    }
}
