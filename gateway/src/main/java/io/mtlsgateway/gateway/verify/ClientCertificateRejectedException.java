package io.mtlsgateway.gateway.verify;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import io.mtlsgateway.gateway.identity.DnFormat;

/**
 * A rejection as it travels through the TLS engine to the handshake-failure log: the verdict plus
 * the few leaf fields an operator needs to find the client (never the certificate itself).
 */
public final class ClientCertificateRejectedException extends CertificateException {
    private static final long serialVersionUID = 1L;
    /** BoringSSL's words when clientAuth is require and the client sent no certificate. */
    private static final String NO_CERTIFICATE = "PEER_DID_NOT_RETURN_A_CERTIFICATE";

    private final transient Verdict.Rejected rejection;
    private final String subject;
    private final String issuer;
    private final String serial;

    public ClientCertificateRejectedException(Verdict.Rejected rejection, X509Certificate leaf) {
        super(rejection.reason().label() + ": " + rejection.detail());
        this.rejection = rejection;
        this.subject = field(() -> DnFormat.rfc2253(leaf.getSubjectX500Principal()));
        this.issuer = field(() -> DnFormat.rfc2253(leaf.getIssuerX500Principal()));
        this.serial = field(() -> leaf.getSerialNumber().toString(16));
    }

    /** The verifier's rejection in a failed handshake's cause chain, if that is why it failed. */
    public static Optional<ClientCertificateRejectedException> in(Throwable handshakeFailure) {
        for (Throwable t = handshakeFailure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ClientCertificateRejectedException rejected) {
                return Optional.of(rejected);
            }
        }
        return Optional.empty();
    }

    /**
     * The bounded reason of a failed handshake, for logs and metrics: the verifier's reason, or
     * {@code no_certificate} when BoringSSL reports that the client sent none (that case never
     * reaches the verifier); empty for failures that are not about the client certificate.
     */
    public static Optional<RejectionReason> reasonOf(Throwable handshakeFailure) {
        Optional<ClientCertificateRejectedException> rejected = in(handshakeFailure);
        if (rejected.isPresent()) {
            return Optional.of(rejected.get().rejection().reason());
        }
        for (Throwable t = handshakeFailure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(NO_CERTIFICATE)) {
                return Optional.of(RejectionReason.NO_CERTIFICATE);
            }
        }
        return Optional.empty();
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
