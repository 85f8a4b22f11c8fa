package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.verify.ClientCertificateRejectedException;
import io.mtlsgateway.gateway.verify.RejectionReason;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLHandshakeException;

/**
 * Logs each failed handshake once: for a refused client certificate, the bounded reason and the
 * leaf's subject, issuer and serial (enough to find the client, never the certificate itself);
 * otherwise the most specific message the cause chain holds.
 */
public final class HandshakeFailureLog {
    private static final Logger LOG = Logger.getLogger(HandshakeFailureLog.class.getName());

    void record(String listener, SocketAddress peer, Throwable cause) {
        LOG.log(Level.WARNING, "listener {0}: TLS handshake with {1} failed: {2}",
                new Object[] {listener, peer, reason(cause)});
        LOG.log(Level.FINE, "handshake failure", cause);
    }

    /** The verifier's reason with the client's names, or the innermost message of the cause chain. */
    static String reason(Throwable cause) {
        Optional<ClientCertificateRejectedException> rejected = ClientCertificateRejectedException.in(cause);
        if (rejected.isPresent()) {
            ClientCertificateRejectedException r = rejected.get();
            return "client certificate rejected: reason=" + r.rejection().reason().label() + " subject=\""
                    + r.subject() + "\" issuer=\"" + r.issuer() + "\" serial=" + r.serial() + ": "
                    + r.rejection().detail();
        }
        if (ClientCertificateRejectedException.reasonOf(cause).orElse(null) == RejectionReason.NO_CERTIFICATE) {
            return "client certificate rejected: reason=" + RejectionReason.NO_CERTIFICATE.label()
                    + ": the client sent no certificate";
        }
        Throwable innermost = cause;
        while (innermost.getCause() != null && innermost.getCause() != innermost) {
            innermost = innermost.getCause();
        }
        if (innermost instanceof SSLHandshakeException && innermost.getMessage() == null) {
            return "handshake failed";
        }
        return String.valueOf(innermost.getMessage());
    }
}
