package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.verify.ClientCertificateRejectedException;
import io.mtlsgateway.gateway.verify.RejectionReason;
import java.util.Optional;

import io.mtlsgateway.gateway.metrics.HandshakeReason;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateRevokedException;
import java.util.Locale;

/**
 * Turns a handshake failure's cause chain into a bounded {@link HandshakeReason}. Deliberately one
 * small function: when the verifier reports its own reasons, this is the only place to change.
 */
public final class HandshakeFailureClassifier {
    private HandshakeFailureClassifier() {}

    public static HandshakeReason classify(Throwable cause) {
        // The verifier names its own bounded reason; the labels are the same by construction.
        Optional<RejectionReason> rejection = ClientCertificateRejectedException.reasonOf(cause);
        if (rejection.isPresent()) {
            return HandshakeReason.valueOf(rejection.get().name());
        }
        HandshakeReason found = HandshakeReason.OTHER;
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            HandshakeReason reason = classifyOne(t);
            if (reason != HandshakeReason.OTHER) {
                found = reason;
                if (reason != HandshakeReason.UNTRUSTED) {
                    return reason; // the most specific: an expired chain is also "untrusted"
                }
            }
        }
        return found;
    }

    private static HandshakeReason classifyOne(Throwable t) {
        String message = String.valueOf(t.getMessage()).toUpperCase(Locale.ROOT);
        if (message.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") || message.contains("CERTIFICATE_REQUIRED")) {
            return HandshakeReason.NO_CERTIFICATE;
        }
        // BoringSSL refuses some client certificates itself, before our verifier sees them: a
        // leaf whose key usage forbids the signature TLS needs, an RSA key above its size limit,
        // an EC key on a curve it does not offer.
        if (message.contains("KEY_USAGE_BIT_INCORRECT")) {
            return HandshakeReason.BAD_USAGE;
        }
        if (message.contains("MODULUS_TOO_LARGE") || message.contains("WRONG_CURVE")) {
            return HandshakeReason.WEAK_KEY;
        }
        if (t instanceof SslHandshakeTimeoutException) {
            return HandshakeReason.TIMEOUT;
        }
        if (t instanceof ClosedChannelException) {
            return HandshakeReason.CLOSED;
        }
        if (t instanceof NotSslRecordException || message.contains("NO_SHARED_CIPHER")
                || message.contains("UNSUPPORTED_PROTOCOL") || message.contains("WRONG_VERSION_NUMBER")) {
            return HandshakeReason.PROTOCOL;
        }
        if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
            return HandshakeReason.EXPIRED;
        }
        if (t instanceof CertificateRevokedException) {
            return HandshakeReason.REVOKED;
        }
        if (t instanceof CertPathValidatorException path) {
            if (path.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                    || path.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                return HandshakeReason.EXPIRED;
            }
            if (path.getReason() == CertPathValidatorException.BasicReason.REVOKED) {
                return HandshakeReason.REVOKED;
            }
            return HandshakeReason.UNTRUSTED;
        }
        if (t instanceof CertificateException) {
            return HandshakeReason.UNTRUSTED;
        }
        return HandshakeReason.OTHER;
    }
}
