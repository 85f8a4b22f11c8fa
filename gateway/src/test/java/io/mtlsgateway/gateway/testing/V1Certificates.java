package io.mtlsgateway.gateway.testing;

import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.pki.KeyType;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v1CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** X.509 v1 certificates (no extensions at all), which the verifier must refuse as leaves and as CAs. */
public final class V1Certificates {
    private V1Certificates() {}

    /** A self-signed v1 certificate, as old private roots were. */
    public static IssuedCertificate selfSigned(String subject) {
        KeyPair pair = KeyType.EC_P256.generate();
        X509Certificate cert = sign(new X500Principal(subject), new X500Principal(subject), pair, pair.getPrivate());
        return new IssuedCertificate(cert, pair.getPrivate(), List.of());
    }

    /** A v1 certificate signed by {@code issuer}. */
    public static IssuedCertificate signedBy(String subject, IssuedCertificate issuer) {
        KeyPair pair = KeyType.EC_P256.generate();
        X509Certificate cert = sign(issuer.certificate().getSubjectX500Principal(), new X500Principal(subject), pair,
                issuer.privateKey());
        List<X509Certificate> issuers = new ArrayList<>();
        issuers.add(issuer.certificate());
        issuers.addAll(issuer.issuers());
        return new IssuedCertificate(cert, pair.getPrivate(), issuers);
    }

    private static X509Certificate sign(X500Principal issuer, X500Principal subject, KeyPair subjectKeys,
            PrivateKey signingKey) {
        try {
            Instant now = Instant.now();
            var builder = new JcaX509v1CertificateBuilder(issuer, BigInteger.valueOf(now.toEpochMilli()),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(30))), subject,
                    subjectKeys.getPublic());
            var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(signingKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (Exception e) {
            throw new IllegalStateException("cannot build a v1 certificate", e);
        }
    }
}
