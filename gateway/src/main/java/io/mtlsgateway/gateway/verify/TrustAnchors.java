package io.mtlsgateway.gateway.verify;

import java.security.GeneralSecurityException;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The trust anchors: a listener's clientCa or an upstream's tls.ca certificates. Only CA certificates are allowed: the JDK's PKIX validator accepts a
 * chain whose first certificate is itself trusted without any check, so a leaf in the bundle would
 * let that leaf in unchecked (even expired).
 */
final class TrustAnchors {
    private final List<X509Certificate> certificates;
    private final Set<TrustAnchor> pkixAnchors;

    private TrustAnchors(List<X509Certificate> certificates, Set<TrustAnchor> pkixAnchors) {
        this.certificates = certificates;
        this.pkixAnchors = pkixAnchors;
    }

    static TrustAnchors of(List<X509Certificate> certificates) throws GeneralSecurityException {
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException("no CA certificate (expected: at least one trust anchor)");
        }
        Set<TrustAnchor> anchors = new LinkedHashSet<>();
        for (X509Certificate ca : certificates) {
            if (ca.getVersion() < 3) {
                throw new GeneralSecurityException("an X.509 v" + ca.getVersion() + " certificate: "
                        + Certificates.describe(ca) + " (a v1 certificate cannot carry basicConstraints, so nothing"
                        + " says it is a CA; re-issue the CA as X.509 v3)");
            }
            if (ca.getBasicConstraints() < 0) {
                throw new GeneralSecurityException("not a CA certificate: " + Certificates.describe(ca)
                        + " (a CA bundle must hold only CA certificates; a leaf there would be"
                        + " trusted without any check)");
            }
            anchors.add(new TrustAnchor(ca, null));
        }
        return new TrustAnchors(List.copyOf(certificates), Set.copyOf(anchors));
    }

    List<X509Certificate> certificates() {
        return certificates;
    }

    Set<TrustAnchor> pkixAnchors() {
        return pkixAnchors;
    }

    /** The anchor that may have issued {@code cert}, or null. */
    X509Certificate issuerOf(X509Certificate cert) {
        for (X509Certificate anchor : certificates) {
            if (Certificates.mayHaveIssued(anchor, cert)) {
                return anchor;
            }
        }
        return null;
    }
}
