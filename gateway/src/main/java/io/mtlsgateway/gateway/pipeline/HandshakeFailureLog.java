package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.verify.HandshakeReason;
import io.mtlsgateway.gateway.verify.ClientCertificateRejectedException;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLHandshakeException;

/**
 * Logs each failed handshake once: the bounded reason (the metric's label, for grepping) and, for a
 * refused client certificate, the leaf's subject, issuer and serial (enough to find the client,
 * never the certificate itself); otherwise the most specific message the cause chain holds.
 */
public final class HandshakeFailureLog {
    private static final Logger LOG = Logger.getLogger(HandshakeFailureLog.class.getName());

    void record(String listener, SocketAddress peer, HandshakeReason reason, Throwable cause) {
        // A peer that hangs up mid-handshake (TCP health checks, port scans) is counted, not shouted about.
        Level level = reason == HandshakeReason.CLOSED ? Level.FINE : Level.WARNING;
        LOG.log(level, "listener {0}: TLS handshake with {1} failed: reason={2}: {3}",
                new Object[] {listener, peer, reason.label(), detail(cause)});
        LOG.log(Level.FINE, "handshake failure", cause);
    }

    /** Who was refused and why, or the innermost message: not the engine's generic wrapper. */
    static String detail(Throwable cause) {
        Optional<ClientCertificateRejectedException> rejected = ClientCertificateRejectedException.in(cause);
        if (rejected.isPresent()) {
            ClientCertificateRejectedException r = rejected.get();
            return "client certificate subject=\"" + r.subject() + "\" issuer=\"" + r.issuer() + "\" serial="
                    + r.serial() + ": " + r.rejection().detail();
        }
        Throwable innermost = cause;
        while (innermost.getCause() != null && innermost.getCause() != innermost) {
            innermost = innermost.getCause();
        }
        if (innermost.getMessage() == null) {
            // A close or timeout mid-handshake often carries no message: its type is the reason.
            return innermost instanceof SSLHandshakeException ? "handshake failed" : innermost.getClass().getSimpleName();
        }
        return innermost.getMessage();
    }
}
