package io.mtlsgateway.gateway.pki;

import java.net.URI;
import java.security.PublicKey;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * The values of the X.509 extensions {@link CertificateBuilder} writes, each a pure function of
 * what the builder was told: what a CA, a leaf, an RSA or an EC key gets by default.
 */
final class CertificateExtensions {
    private CertificateExtensions() {}

    /** @param pathLength -1 for no limit; only for a CA */
    static BasicConstraints basicConstraints(boolean ca, int pathLength) {
        if (!ca) {
            return new BasicConstraints(false);
        }
        return pathLength >= 0 ? new BasicConstraints(pathLength) : new BasicConstraints(true);
    }

    /**
     * The key usage bits unless overridden: a CA signs certificates and CRLs; an RSA leaf may also
     * encipher keys (RSA key exchange), an EC leaf only signs.
     */
    static int defaultKeyUsage(boolean ca, PublicKey subjectKey) {
        if (ca) {
            return KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature;
        }
        return subjectKey.getAlgorithm().equals("RSA") ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment
                : KeyUsage.digitalSignature;
    }

    /** Authority Information Access naming one OCSP responder. */
    static AuthorityInformationAccess ocspResponder(URI responder) {
        return new AuthorityInformationAccess(AccessDescription.id_ad_ocsp,
                new GeneralName(GeneralName.uniformResourceIdentifier, responder.toString()));
    }

    /** CRL Distribution Points with one full-name point. */
    static CRLDistPoint crlDistributionPoint(URI crl) {
        GeneralNames names = new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, crl.toString()));
        return new CRLDistPoint(new DistributionPoint[] {new DistributionPoint(new DistributionPointName(names), null, null)});
    }
}
