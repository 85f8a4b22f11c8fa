package io.mtlsgateway.gateway.verify;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.security.auth.x500.X500Principal;

/**
 * A rejection as it travels through the TLS engine to the handshake-failure log: the verdict plus
 * the few leaf fields an operator needs to find the client (never the certificate itself).
 */
public final class ClientCertificateRejectedException extends CertificateException {
    private static final long serialVersionUID = 1L;

    private final transient Verdict.Rejected rejection;
    private final String subject;
    private final String issuer;
    private final String serial;

    public ClientCertificateRejectedException(Verdict.Rejected rejection, X509Certificate leaf) {
        super(rejection.reason().label() + ": " + rejection.detail());
        this.rejection = rejection;
        this.subject = field(() -> leaf.getSubjectX500Principal().getName(X500Principal.RFC2253));
        this.issuer = field(() -> leaf.getIssuerX500Principal().getName(X500Principal.RFC2253));
        this.serial = field(() -> leaf.getSerialNumber().toString(16));
    }

    public Verdict.Rejected rejection() {
        return rejection;
    }

    public String subject() {
        return subject;
    }

    public String issuer() {
        return issuer;
    }

    /** Lowercase hex. */
    public String serial() {
        return serial;
    }

    private static String field(java.util.function.Supplier<String> read) {
        try {
            return read.get();
        } catch (RuntimeException e) {
            // A malformed leaf cannot name itself; the reason says so already.
            return "?";
        }
    }
}
