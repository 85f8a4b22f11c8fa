package io.mtlsgateway.gateway.verify;

import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;

/**
 * What the JDK's PKIX validator leaves unchecked for a client chain (notes §4): weak keys, SHA-1
 * signatures, EKU chaining through intermediates, the leaf's own usage, and "a CA is not a client".
 */
final class ClientCertificatePolicy {
    static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    static final String ANY_EKU = "2.5.29.37.0";
    private static final int MIN_RSA_BITS = 2048;
    private static final int MIN_EC_BITS = 256;

    /** Signature algorithms accepted on any certificate of the path, by OID. */
    private static final Map<String, String> SIGNATURES = Map.of(
            "1.2.840.10045.4.3.2", "SHA256withECDSA",
            "1.2.840.10045.4.3.3", "SHA384withECDSA",
            "1.2.840.10045.4.3.4", "SHA512withECDSA",
            "1.2.840.113549.1.1.11", "SHA256withRSA",
            "1.2.840.113549.1.1.12", "SHA384withRSA",
            "1.2.840.113549.1.1.13", "SHA512withRSA",
            "1.2.840.113549.1.1.10", "RSASSA-PSS",
            "1.3.101.112", "Ed25519",
            "1.3.101.113", "Ed448");

    private ClientCertificatePolicy() {}

    /** Null when the path is acceptable. */
    static Verdict.Rejected check(List<X509Certificate> path) {
        X509Certificate leaf = path.get(0);
        if (leaf.getBasicConstraints() >= 0) {
            return new Verdict.Rejected(RejectionReason.BAD_USAGE, "client certificate " + Certificates.describe(leaf)
                    + " is a CA certificate (basicConstraints CA:true); a CA certificate cannot be used as a client");
        }
        for (int i = 0; i < path.size(); i++) {
            X509Certificate cert = path.get(i);
            String who = (i == 0 ? "client certificate " : "intermediate ") + Certificates.describe(cert);
            Verdict.Rejected weak = weakness(cert, who);
            if (weak != null) {
                return weak;
            }
            List<String> eku = extendedKeyUsage(cert);
            if (eku != null && !eku.contains(CLIENT_AUTH) && !eku.contains(ANY_EKU)) {
                return new Verdict.Rejected(RejectionReason.BAD_USAGE, who + " has extended key usage "
                        + OidNames.inOrder(eku) + " without clientAuth"
                        + (i == 0 ? "" : "; an intermediate restricted this way cannot issue client certificates"));
            }
        }
        boolean[] keyUsage = leaf.getKeyUsage();
        if (keyUsage != null && (keyUsage.length == 0 || !keyUsage[0])) {
            return new Verdict.Rejected(RejectionReason.BAD_USAGE, "client certificate " + Certificates.describe(leaf)
                    + " has a key usage without digitalSignature, which TLS client authentication needs");
        }
        return null;
    }

    private static Verdict.Rejected weakness(X509Certificate cert, String who) {
        String signature = SIGNATURES.get(cert.getSigAlgOID());
        if (signature == null) {
            return new Verdict.Rejected(RejectionReason.WEAK_KEY, who + " is signed with " + cert.getSigAlgName()
                    + ", which is not accepted (SHA-1 and older are forgeable); re-issue it with SHA-256 or stronger");
        }
        if (signature.equals("RSASSA-PSS") && pssHashIsSha1(cert)) {
            return new Verdict.Rejected(RejectionReason.WEAK_KEY, who + " is signed with RSASSA-PSS over SHA-1,"
                    + " which is not accepted; re-issue it with SHA-256 or stronger");
        }
        PublicKey key = cert.getPublicKey();
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits < MIN_RSA_BITS) {
                return new Verdict.Rejected(RejectionReason.WEAK_KEY, who + " has a " + bits
                        + "-bit RSA key (expected: at least " + MIN_RSA_BITS + " bits)");
            }
        } else if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            if (bits < MIN_EC_BITS) {
                return new Verdict.Rejected(RejectionReason.WEAK_KEY, who + " has a " + bits
                        + "-bit EC key (expected: P-256 or stronger)");
            }
        } else if (!key.getAlgorithm().startsWith("Ed")) {
            return new Verdict.Rejected(RejectionReason.WEAK_KEY, who + " has a " + key.getAlgorithm()
                    + " key, which is not accepted (expected: EC, RSA or EdDSA)");
        }
        return null;
    }

    /** RSASSA-PSS names its hash in parameters, and an absent hash means SHA-1 (RFC 4055). */
    private static boolean pssHashIsSha1(X509Certificate cert) {
        byte[] parameters = cert.getSigAlgParams();
        if (parameters == null) {
            return true;
        }
        RSASSAPSSparams pss = RSASSAPSSparams.getInstance(parameters);
        return pss.getHashAlgorithm().getAlgorithm().equals(OIWObjectIdentifiers.idSHA1);
    }

    private static List<String> extendedKeyUsage(X509Certificate cert) {
        try {
            return cert.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            // PKIX parsed the certificate already; an unreadable EKU is as good as a wrong one.
            return List.of("unreadable");
        }
    }
}
