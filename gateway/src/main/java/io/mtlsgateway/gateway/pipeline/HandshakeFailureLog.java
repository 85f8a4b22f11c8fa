package io.mtlsgateway.gateway.pipeline;

import java.net.SocketAddress;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLHandshakeException;

/** Logs each failed handshake once, with the most specific reason the cause chain holds. */
public final class HandshakeFailureLog {
    private static final Logger LOG = Logger.getLogger(HandshakeFailureLog.class.getName());

    void record(String listener, SocketAddress peer, Throwable cause) {
        LOG.log(Level.WARNING, "listener {0}: TLS handshake with {1} failed: {2}",
                new Object[] {listener, peer, reason(cause)});
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
