package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.metrics.HandshakeReason;
import java.net.SocketAddress;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLHandshakeException;

/**
 * Logs each failed handshake once: the bounded reason (the metric's label, for grepping) and the
 * most specific message the cause chain holds.
 */
public final class HandshakeFailureLog {
    private static final Logger LOG = Logger.getLogger(HandshakeFailureLog.class.getName());

    void record(String listener, SocketAddress peer, HandshakeReason reason, Throwable cause) {
        LOG.log(Level.WARNING, "listener {0}: TLS handshake with {1} failed: reason={2}: {3}",
                new Object[] {listener, peer, reason.label(), reason(cause)});
        LOG.log(Level.FINE, "handshake failure", cause);
    }

    /** The innermost message: the verifier's own reason, not the engine's generic wrapper. */
    static String reason(Throwable cause) {
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
