package io.mtlsgateway.gateway.verify;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertPathValidatorException.Reason;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * RFC 5280 path validation by the JDK (signatures, validity, basic and name constraints, CA key
 * usage, path length, unknown critical extensions), with {@link ChainSignatures} choosing who checks
 * the signatures (AWS-LC through the Amazon Corretto Crypto Provider, else BouncyCastle: both several times faster than the JDK's ECDSA).
 * Revocation is ours (CRL index, OCSP), not the JDK's, which is too slow and too global (notes §3).
 */
final class PkixValidation {
    /** The validated anchor, or why validation failed. */
    record Result(X509Certificate anchor, Verdict.Rejected rejection) {}

    /**
     * The JDK's X.509 factory and PKIX validator, one per thread: their engines keep no state between calls, but
     * the JCA does not promise they are thread-safe, and looking them up by name on every new client was a
     * measurable part of its cost (provider and service look-ups).
     */
    private static final ThreadLocal<Engines> ENGINES = ThreadLocal.withInitial(Engines::create);

    private record Engines(CertificateFactory factory, CertPathValidator validator) {
        static Engines create() {
            try {
                return new Engines(CertificateFactory.getInstance("X.509"), CertPathValidator.getInstance("PKIX"));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("PKIX validation unavailable", e);
            }
        }
    }

    private final TrustAnchors anchors;
    private final Purpose purpose;
    /**
     * This verifier's parameters, one set per thread and signature provider, only their date set per call: building
     * them copies and checks the anchor set, a measurable part of a new client's cost. The validator only reads them.
     */
    private final ThreadLocal<Map<String, PKIXParameters>> parameters = ThreadLocal.withInitial(HashMap::new);

    PkixValidation(TrustAnchors anchors, Purpose purpose) {
        this.anchors = anchors;
        this.purpose = purpose;
    }

    private PKIXParameters parametersFor(String sigProvider) throws InvalidAlgorithmParameterException {
        Map<String, PKIXParameters> byProvider = parameters.get();
        PKIXParameters kept = byProvider.get(sigProvider);
        if (kept == null) {
            kept = new PKIXParameters(anchors.pkixAnchors());
            kept.setRevocationEnabled(false);
            kept.setSigProvider(sigProvider);
            byProvider.put(sigProvider, kept);
        }
        return kept;
    }

    Result validate(List<X509Certificate> path, Instant at) {
        try {
            Engines engines = ENGINES.get();
            String sigProvider = ChainSignatures.providerFor(path);
            CertPath certPath = engines.factory().generateCertPath(ChainSignatures.isNative(sigProvider)
                    ? withPooledSignatureLeaf(path) : path);
            PKIXParameters parameters = parametersFor(sigProvider);
            parameters.setDate(Date.from(at));
            var result = (PKIXCertPathValidatorResult) engines.validator().validate(certPath, parameters);
            return new Result(result.getTrustAnchor().getTrustedCert(), null);
        } catch (CertPathValidatorException e) {
            return new Result(null, explain(e, path, at, purpose));
        } catch (CertificateException e) {
            return new Result(null, new Verdict.Rejected(HandshakeReason.MALFORMED,
                    "the chain cannot be parsed (not valid DER X.509)"));
        } catch (InvalidAlgorithmParameterException e) {
            throw new IllegalStateException("trust anchors rejected by PKIX", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PKIX validation unavailable", e);
        }
    }

    /** The path with its leaf wrapped so its native signature check reuses engines and keys (see the class). */
    private static List<X509Certificate> withPooledSignatureLeaf(List<X509Certificate> path) {
        List<X509Certificate> wrapped = new ArrayList<>(path);
        wrapped.set(0, new PooledSignatureLeaf(path.get(0)));
        return wrapped;
    }

    private static Verdict.Rejected explain(CertPathValidatorException e, List<X509Certificate> path, Instant at,
            Purpose purpose) {
        int index = e.getIndex();
        X509Certificate cert = index >= 0 && index < path.size() ? path.get(index) : path.get(0);
        String who = (cert == path.get(0) ? purpose.peer() + " certificate " : "intermediate ") + Certificates.describe(cert);
        Reason reason = e.getReason();
        if (reason == BasicReason.EXPIRED) {
            return rejected(HandshakeReason.EXPIRED, who + " expired at " + cert.getNotAfter().toInstant()
                    + " (validation time " + at + ")");
        }
        if (reason == BasicReason.NOT_YET_VALID) {
            return rejected(HandshakeReason.NOT_YET_VALID, who + " is not valid before "
                    + cert.getNotBefore().toInstant() + " (validation time " + at + ")");
        }
        if (reason == BasicReason.INVALID_SIGNATURE) {
            return rejected(HandshakeReason.UNTRUSTED, "the signature on " + who + " does not verify with the key of"
                    + " its issuer " + Certificates.name(cert.getIssuerX500Principal())
                    + " (a different CA with the same name, or a tampered certificate)");
        }
        if (reason == BasicReason.ALGORITHM_CONSTRAINED) {
            return rejected(HandshakeReason.WEAK_KEY, who + " uses an algorithm or key size this JVM disables"
                    + " (java.security: jdk.certpath.disabledAlgorithms); signature " + cert.getSigAlgName()
                    + ", key " + cert.getPublicKey().getAlgorithm());
        }
        if (reason == PKIXReason.NO_TRUST_ANCHOR || reason == PKIXReason.NAME_CHAINING) {
            return rejected(HandshakeReason.UNTRUSTED, who + " does not chain to a " + purpose.anchors()
                    + " trust anchor: its issuer " + Certificates.name(cert.getIssuerX500Principal())
                    + " is neither in " + purpose.anchors() + " nor among the intermediates sent");
        }
        if (reason == PKIXReason.UNRECOGNIZED_CRIT_EXT) {
            Set<String> critical = cert.getCriticalExtensionOIDs();
            return rejected(HandshakeReason.MALFORMED, who + " has a critical extension this verifier does not"
                    + " understand (critical extensions: " + OidNames.names(critical) + "); RFC 5280 requires rejecting"
                    + " it");
        }
        String constraint = constraint(reason, e);
        if (constraint != null) {
            return rejected(HandshakeReason.CONSTRAINTS, who + " breaks a constraint of its chain: " + constraint);
        }
        return rejected(HandshakeReason.CONSTRAINTS, who + " failed path validation (" + reason + ")");
    }

    /** The JDK's reason in our words: its messages are for Java developers, not for the operator. */
    private static String constraint(Reason reason, CertPathValidatorException e) {
        if (reason == PKIXReason.NOT_CA_CERT) {
            return "it issued a certificate but is not a CA certificate (basicConstraints CA:true missing)";
        }
        if (reason == PKIXReason.PATH_TOO_LONG) {
            return "more CA certificates below a CA than its pathLenConstraint allows";
        }
        if (reason == PKIXReason.INVALID_KEY_USAGE) {
            return "a CA's key usage does not allow signing certificates (keyCertSign)";
        }
        if (reason == PKIXReason.INVALID_NAME) {
            return "a name is outside the name constraints of a CA above it";
        }
        if (reason == PKIXReason.INVALID_POLICY) {
            return "the certificate policies do not satisfy a CA's policy constraints";
        }
        // The JDK reports name-constraint failures as UNSPECIFIED; its message is the only sign.
        String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (message.contains("name constraint")) {
            return "a name is outside the name constraints of a CA above it";
        }
        if (message.contains("basic constraints")) {
            return "it issued a certificate but is not a CA certificate (basicConstraints CA:true missing)";
        }
        return null;
    }

    private static Verdict.Rejected rejected(HandshakeReason reason, String detail) {
        return new Verdict.Rejected(reason, detail);
    }
}
