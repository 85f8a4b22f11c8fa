package io.mtlsgateway.gateway.pki;

import io.mtlsgateway.gateway.identity.DnFormat;
import io.mtlsgateway.gateway.tls.BouncyCastle;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues X.509 v2 CRLs in memory, signed by a CA: for the dev CA, and for tests that need a fresh,
 * expired or not-yet-valid CRL without touching files. Every CRL carries a CRL number and an
 * authority key identifier (RFC 5280 section 5.2 requires both of a conforming issuer).
 */
public final class CrlIssuer {
    private CrlIssuer() {}

    /**
     * A CRL listing {@code revokedSerials}, each revoked at {@code thisUpdate}. The CRL number is
     * {@code thisUpdate} in epoch seconds, so CRLs issued later carry larger numbers, as a
     * verifier that prefers the newest CRL expects.
     *
     * @param issuer the CA certificate and its private key
     * @param nextUpdate may lie in the past, to build an expired CRL
     */
    public static X509CRL issue(
            IssuedCertificate issuer, Collection<BigInteger> revokedSerials, Instant thisUpdate, Instant nextUpdate) {
        Objects.requireNonNull(thisUpdate, "thisUpdate");
        Map<BigInteger, Instant> revocations = new LinkedHashMap<>();
        for (BigInteger serial : revokedSerials) {
            revocations.put(Objects.requireNonNull(serial, "serial"), thisUpdate);
        }
        return issue(issuer, revocations, thisUpdate, nextUpdate, BigInteger.valueOf(thisUpdate.getEpochSecond()));
    }

    /**
     * A CRL with explicit revocation dates and CRL number.
     *
     * @param revocations revoked serial number to the time it was revoked
     * @param crlNumber must grow with every CRL the issuer publishes (RFC 5280 section 5.2.3)
     */
    public static X509CRL issue(
            IssuedCertificate issuer,
            Map<BigInteger, Instant> revocations,
            Instant thisUpdate,
            Instant nextUpdate,
            BigInteger crlNumber) {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(thisUpdate, "thisUpdate");
        Objects.requireNonNull(nextUpdate, "nextUpdate");
        if (crlNumber.signum() < 0) {
            throw new IllegalArgumentException("crlNumber: " + crlNumber + " (expected: >= 0)");
        }
        X509Certificate ca = issuer.certificate();
        try {
            X509v2CRLBuilder builder = new JcaX509v2CRLBuilder(ca.getSubjectX500Principal(), Date.from(thisUpdate));
            builder.setNextUpdate(Date.from(nextUpdate));
            for (Map.Entry<BigInteger, Instant> entry : revocations.entrySet()) {
                // No reason code: RFC 5280 prefers omitting it to sending "unspecified".
                builder.addCRLEntry(entry.getKey(), Date.from(entry.getValue()), null);
            }
            builder.addExtension(Extension.cRLNumber, false, new CRLNumber(crlNumber));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.getPublicKey()));
            var signer = new JcaContentSignerBuilder(signatureAlgorithmFor(issuer))
                    .setProvider(BouncyCastle.provider())
                    .build(issuer.privateKey());
            // The JDK's own CRL class, so PKIX code that mixes it with JDK certificates sees one provider.
            return new JcaX509CRLConverter().getCRL(builder.build(signer));
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("cannot issue a CRL for " + DnFormat.rfc2253(ca.getSubjectX500Principal()), e);
        }
    }

    /** The CRL number extension of {@code crl}, or -1 if it has none. */
    public static BigInteger crlNumber(X509CRL crl) {
        byte[] extension = crl.getExtensionValue(Extension.cRLNumber.getId());
        if (extension == null) {
            return BigInteger.ONE.negate();
        }
        // getExtensionValue wraps the extension's DER in an OCTET STRING.
        byte[] der = ASN1OctetString.getInstance(extension).getOctets();
        return CRLNumber.getInstance(der).getCRLNumber();
    }

    private static String signatureAlgorithmFor(IssuedCertificate issuer) {
        // Same choice as CertificateBuilder makes for certificates the CA signs.
        return issuer.privateKey().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    }
}
