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
 * What the JDK's PKIX validator leaves unchecked (notes §4): weak keys, SHA-1 signatures, X.509 v1
 * certificates, EKU chaining through intermediates, the leaf's own usage, and "a CA is not a
 * client". Named for its first purpose; {@link Purpose#SERVER} applies the same checks to an
 * upstream's chain with serverAuth and the stricter CA/Browser Forum rules for the leaf.
 */
final class ClientCertificatePolicy {
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

    /**
     * Null when the path is acceptable.
     *
     * @param requireEku whether a client leaf must carry an EKU (a server leaf always must)
     */
    static Verdict.Rejected check(List<X509Certificate> path, Purpose purpose, boolean requireEku) {
        // Names for the messages are made only for a rejection: formatting a DN and a serial for
        // every certificate of every accepted chain was a measurable part of a new client's cost.
        X509Certificate leaf = path.get(0);
        for (int i = 0; i < path.size(); i++) {
            X509Certificate cert = path.get(i);
            if (cert.getVersion() < 3) {
                // Without extensions nothing says what the key may do: not whether it is a CA, not
                // its usage, not its names. RFC 5280 profiles v3 for exactly this reason.
                return new Verdict.Rejected(i == 0 ? HandshakeReason.BAD_USAGE : HandshakeReason.CONSTRAINTS,
                        who(path, i, purpose) + " is an X.509 v" + cert.getVersion()
                        + " certificate, which cannot carry"
                        + " basicConstraints, extended key usage or subjectAltName; re-issue it as X.509 v3");
            }
        }
        if (leaf.getBasicConstraints() >= 0) {
            return new Verdict.Rejected(HandshakeReason.BAD_USAGE, who(path, 0, purpose) + " is a CA certificate"
                    + " (basicConstraints CA:true); a CA certificate cannot be used as a " + purpose.peer());
        }
        for (int i = 0; i < path.size(); i++) {
            X509Certificate cert = path.get(i);
            Verdict.Rejected weak = weakness(cert, path, i, purpose);
            if (weak != null) {
                return weak;
            }
            List<String> eku = extendedKeyUsage(cert);
            Verdict.Rejected usage = i == 0 ? leafUsage(eku, purpose, requireEku, path)
                    : intermediateUsage(eku, purpose, path, i);
            if (usage != null) {
                return usage;
            }
        }
        boolean[] keyUsage = leaf.getKeyUsage();
        if (keyUsage != null && (keyUsage.length == 0 || !keyUsage[0])) {
            return new Verdict.Rejected(HandshakeReason.BAD_USAGE, who(path, 0, purpose)
                    + " has a key usage without digitalSignature, which TLS " + purpose.peer()
                    + " authentication needs");
        }
        return null;
    }

    /** How a message names certificate {@code i} of the path. */
    private static String who(List<X509Certificate> path, int i, Purpose purpose) {
        return (i == 0 ? purpose.peer() + " certificate " : "intermediate ") + Certificates.describe(path.get(i));
    }

    /**
     * On a leaf, anyExtendedKeyUsage does not stand in for the purpose: a certificate meant for
     * TLS names it. A server leaf must have an EKU and must not have anyExtendedKeyUsage at all
     * (CA/Browser Forum Baseline Requirements 7.1.2.7.10); a client leaf may have none (enterprise
     * PKIs issue such certificates and RFC 5280 allows them) unless the listener sets requireEku.
     */
    private static Verdict.Rejected leafUsage(List<String> eku, Purpose purpose, boolean requireEku,
            List<X509Certificate> path) {
        if (eku == null) {
            if (purpose == Purpose.SERVER || requireEku) {
                return new Verdict.Rejected(HandshakeReason.BAD_USAGE, who(path, 0, purpose)
                        + " has no extended key usage"
                        + " (expected: " + purpose.ekuName() + ")"
                        + (purpose == Purpose.SERVER ? "" : "; this listener sets requireEku: true"));
            }
            return null;
        }
        if (purpose == Purpose.SERVER && eku.contains(ANY_EKU)) {
            return new Verdict.Rejected(HandshakeReason.BAD_USAGE, who(path, 0, purpose)
                    + " has anyExtendedKeyUsage, which a server"
                    + " certificate must not carry (CA/Browser Forum profile)");
        }
        if (!eku.contains(purpose.ekuOid())) {
            boolean onlyAny = eku.equals(List.of(ANY_EKU));
            return new Verdict.Rejected(HandshakeReason.BAD_USAGE, who(path, 0, purpose) + " has extended key usage "
                    + OidNames.inOrder(eku) + " without " + purpose.ekuName()
                    + (onlyAny ? "; anyExtendedKeyUsage alone is not accepted on a leaf, it must name "
                            + purpose.ekuName() : ""));
        }
        return null;
    }

    private static Verdict.Rejected intermediateUsage(List<String> eku, Purpose purpose, List<X509Certificate> path,
            int i) {
        if (eku != null && !eku.contains(purpose.ekuOid()) && !eku.contains(ANY_EKU)) {
            return new Verdict.Rejected(HandshakeReason.BAD_USAGE, who(path, i, purpose) + " has extended key usage "
                    + OidNames.inOrder(eku) + " without " + purpose.ekuName() + "; an intermediate restricted"
                    + " this way cannot issue " + purpose.peer() + " certificates");
        }
        return null;
    }

    private static Verdict.Rejected weakness(X509Certificate cert, List<X509Certificate> path, int i, Purpose purpose) {
        String signature = SIGNATURES.get(cert.getSigAlgOID());
        if (signature == null) {
            return new Verdict.Rejected(HandshakeReason.WEAK_KEY, who(path, i, purpose) + " is signed with "
                    + cert.getSigAlgName()
                    + ", which is not accepted (SHA-1 and older are forgeable); re-issue it with SHA-256 or stronger");
        }
        if (signature.equals("RSASSA-PSS") && pssHashIsSha1(cert)) {
            return new Verdict.Rejected(HandshakeReason.WEAK_KEY, who(path, i, purpose)
                    + " is signed with RSASSA-PSS over SHA-1,"
                    + " which is not accepted; re-issue it with SHA-256 or stronger");
        }
        PublicKey key = cert.getPublicKey();
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits < MIN_RSA_BITS) {
                return new Verdict.Rejected(HandshakeReason.WEAK_KEY, who(path, i, purpose) + " has a " + bits
                        + "-bit RSA key (expected: at least " + MIN_RSA_BITS + " bits)");
            }
        } else if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            if (bits < MIN_EC_BITS) {
                return new Verdict.Rejected(HandshakeReason.WEAK_KEY, who(path, i, purpose) + " has a " + bits
                        + "-bit EC key (expected: P-256 or stronger)");
            }
        } else if (!key.getAlgorithm().startsWith("Ed")) {
            return new Verdict.Rejected(HandshakeReason.WEAK_KEY, who(path, i, purpose) + " has a " + key.getAlgorithm()
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
