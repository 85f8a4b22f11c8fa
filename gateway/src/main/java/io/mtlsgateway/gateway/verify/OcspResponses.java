package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.gateway.tls.BouncyCastle;
import io.mtlsgateway.gateway.verify.OcspChecker.Answer;
import io.mtlsgateway.gateway.verify.OcspChecker.Status;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * What an OCSP responder's answer says about one certificate, once it is proven to be worth
 * believing (RFC 6960): a successful basic response, signed by the issuer or by a responder
 * certificate the issuer gave the OCSPSigning purpose, holding a fresh answer for that
 * certificate. A pure function of the bytes, the certificate, its issuer and the time.
 */
final class OcspResponses {
    /** Tolerated clock difference with the responder. */
    static final Duration SKEW = Duration.ofMinutes(5);
    /** How long an answer without nextUpdate, or with a far one, is used. */
    static final Duration MAX_AGE = Duration.ofHours(1);

    private OcspResponses() {}

    /**
     * @param id the certificate asked about
     * @param failureTtl how long a response that cannot be used is remembered as a failure
     */
    static Answer read(byte[] der, CertificateID id, X509Certificate issuer, Instant now, Duration failureTtl) {
        try {
            OCSPResp response = new OCSPResp(der);
            if (response.getStatus() != OCSPResp.SUCCESSFUL) {
                return failed("the responder answered with error status " + response.getStatus(), now, failureTtl);
            }
            if (!(response.getResponseObject() instanceof BasicOCSPResp basic)) {
                return failed("the response is not a basic OCSP response", now, failureTtl);
            }
            if (!signedForIssuer(basic, issuer, now)) {
                return failed("the response is signed neither by the issuer nor by a responder certificate the"
                        + " issuer authorised (EKU OCSPSigning)", now, failureTtl);
            }
            for (SingleResp single : basic.getResponses()) {
                if (single.getCertID().equals(id)) {
                    return fresh(single, now, failureTtl);
                }
            }
            return failed("the response holds no answer for this certificate", now, failureTtl);
        } catch (Exception e) {
            return failed("the response is not a readable OCSP response", now, failureTtl);
        }
    }

    private static Answer fresh(SingleResp single, Instant now, Duration failureTtl) {
        Instant thisUpdate = single.getThisUpdate().toInstant();
        Instant nextUpdate = single.getNextUpdate() == null ? null : single.getNextUpdate().toInstant();
        if (thisUpdate.isAfter(now.plus(SKEW))) {
            return failed("the answer's thisUpdate " + thisUpdate + " lies in the future; check the clocks", now,
                    failureTtl);
        }
        Instant expires = nextUpdate != null ? nextUpdate : thisUpdate.plus(MAX_AGE);
        if (expires.isBefore(now)) {
            return failed("stale answer: valid until " + expires, now, failureTtl);
        }
        Instant validUntil = expires.isBefore(now.plus(MAX_AGE)) ? expires : now.plus(MAX_AGE);
        Object status = single.getCertStatus();
        if (status == null) {
            return new Answer(Status.GOOD, "good", validUntil);
        }
        if (status instanceof RevokedStatus revoked) {
            return new Answer(Status.REVOKED, "revoked at " + revoked.getRevocationTime().toInstant(), validUntil);
        }
        if (status instanceof UnknownStatus) {
            return new Answer(Status.UNKNOWN, "unknown", validUntil);
        }
        return failed("unexpected certificate status " + status, now, failureTtl);
    }

    private static boolean signedForIssuer(BasicOCSPResp basic, X509Certificate issuer, Instant now) throws Exception {
        var verifiers = new JcaContentVerifierProviderBuilder().setProvider(BouncyCastle.provider());
        if (basic.isSignatureValid(verifiers.build(issuer.getPublicKey()))) {
            return true;
        }
        X500Name issuerName = X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
        for (X509CertificateHolder candidate : basic.getCerts()) {
            ExtendedKeyUsage eku = ExtendedKeyUsage.fromExtensions(candidate.getExtensions());
            if (candidate.getIssuer().equals(issuerName)
                    && eku != null && eku.hasKeyPurposeId(KeyPurposeId.id_kp_OCSPSigning)
                    && candidate.isValidOn(Date.from(now))
                    && candidate.isSignatureValid(verifiers.build(issuer.getPublicKey()))
                    && basic.isSignatureValid(verifiers.build(candidate))) {
                return true;
            }
        }
        return false;
    }

    private static Answer failed(String detail, Instant now, Duration failureTtl) {
        return new Answer(Status.FAILED, detail, now.plus(failureTtl));
    }
}
