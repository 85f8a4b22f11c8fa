package io.mtlsgateway.gateway.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.verify.OcspChecker.Answer;
import io.mtlsgateway.gateway.verify.OcspChecker.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.jcajce.JcaBasicOCSPRespBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.Test;

/** Which OCSP responses are believed, and what they say: the pure reading, without a responder. */
class OcspResponsesTest {
    private static final Duration FAILURE_TTL = Duration.ofSeconds(30);
    private static final Instant NOW = Instant.now();

    private final IssuedCertificate ca = new CertificateBuilder().subject("CN=ocsp test CA").ca(-1).selfSigned();
    private final IssuedCertificate leaf = new CertificateBuilder().subject("CN=client").forClient().signedBy(ca);
    private final CertificateID id = id();

    private CertificateID id() {
        try {
            return new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                    new JcaX509CertificateHolder(ca.certificate()), leaf.certificate().getSerialNumber());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] response(IssuedCertificate signer, CertificateStatus status, Instant thisUpdate, Instant nextUpdate)
            throws Exception {
        var builder = new JcaBasicOCSPRespBuilder(signer.certificate().getPublicKey(),
                new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1));
        builder.addResponse(id, status, Date.from(thisUpdate), nextUpdate == null ? null : Date.from(nextUpdate), null);
        var basic = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.privateKey()), null,
                Date.from(thisUpdate));
        return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
    }

    private Answer read(byte[] der) {
        return OcspResponses.read(der, id, ca.certificate(), NOW, FAILURE_TTL);
    }

    @Test
    void aGoodAnswerSignedByTheIssuerIsUsedUntilItsNextUpdateAtMostAnHour() throws Exception {
        // OCSP times are whole seconds.
        Instant soon = NOW.plus(Duration.ofMinutes(10)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Answer good = read(response(ca, CertificateStatus.GOOD, NOW.minusSeconds(60), soon));
        assertEquals(new Answer(Status.GOOD, "good", soon), good);

        Answer far = read(response(ca, CertificateStatus.GOOD, NOW.minusSeconds(60), NOW.plus(Duration.ofDays(7))));
        assertEquals(NOW.plus(OcspResponses.MAX_AGE), far.validUntil());
    }

    @Test
    void aRevokedAnswerSaysWhen() throws Exception {
        Instant revokedAt = NOW.minus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Answer revoked = read(response(ca, new RevokedStatus(Date.from(revokedAt), 1), NOW.minusSeconds(60),
                NOW.plus(Duration.ofMinutes(10))));
        assertEquals(Status.REVOKED, revoked.status());
        assertEquals("revoked at " + revokedAt, revoked.detail());
    }

    @Test
    void anAnswerSignedByAnyoneElseIsAFailureRememberedBriefly() throws Exception {
        IssuedCertificate stranger = new CertificateBuilder().subject("CN=ocsp test CA").ca(-1).selfSigned();
        Answer forged = read(response(stranger, CertificateStatus.GOOD, NOW.minusSeconds(60), NOW.plusSeconds(600)));
        assertEquals(Status.FAILED, forged.status());
        assertTrue(forged.detail().startsWith("the response is signed neither by the issuer"), forged.detail());
        assertEquals(NOW.plus(FAILURE_TTL), forged.validUntil());
    }

    @Test
    void staleFutureAndUnreadableAnswersAreFailures() throws Exception {
        Answer stale = read(response(ca, CertificateStatus.GOOD, NOW.minus(Duration.ofDays(2)), NOW.minus(Duration.ofDays(1))));
        assertTrue(stale.detail().startsWith("stale answer: valid until "), stale.detail());

        Answer future = read(response(ca, CertificateStatus.GOOD, NOW.plus(OcspResponses.SKEW).plusSeconds(60), null));
        assertTrue(future.detail().endsWith("lies in the future; check the clocks"), future.detail());

        Answer garbage = read(new byte[] {1, 2, 3});
        assertEquals(new Answer(Status.FAILED, "the response is not a readable OCSP response", NOW.plus(FAILURE_TTL)),
                garbage);
    }
}
