package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.gateway.identity.DnFormat;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

/** Small readings of certificate fields shared by the verifier's steps. */
final class Certificates {
    private Certificates() {}

    /** How a message names a certificate: its subject and serial, never its bytes. */
    static String describe(X509Certificate cert) {
        return "\"" + DnFormat.rfc2253(cert.getSubjectX500Principal()) + "\" (serial "
                + cert.getSerialNumber().toString(16) + ")";
    }

    static String name(X500Principal principal) {
        return "\"" + DnFormat.rfc2253(principal) + "\"";
    }

    /** Whether {@code issuer} can be the issuer of {@code cert} by name and, when both say, by key id. */
    static boolean mayHaveIssued(X509Certificate issuer, X509Certificate cert) {
        if (!issuer.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
            return false;
        }
        byte[] authorityKeyId = authorityKeyId(cert);
        byte[] subjectKeyId = subjectKeyId(issuer);
        return authorityKeyId == null || subjectKeyId == null || Arrays.equals(authorityKeyId, subjectKeyId);
    }

    static boolean selfIssued(X509Certificate cert) {
        return cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal());
    }

    private static byte[] authorityKeyId(X509Certificate cert) {
        byte[] value = cert.getExtensionValue(Extension.authorityKeyIdentifier.getId());
        return value == null ? null
                : AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(value).getOctets()).getKeyIdentifier();
    }

    /** The subject key identifier, or null. */
    static byte[] subjectKeyId(X509Certificate cert) {
        byte[] value = cert.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        return value == null ? null
                : SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(value).getOctets()).getKeyIdentifier();
    }
}
