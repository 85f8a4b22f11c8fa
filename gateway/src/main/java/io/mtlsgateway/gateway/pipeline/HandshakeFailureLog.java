package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.LogText;
import io.mtlsgateway.gateway.tls.HandshakeTaskExecutor;
import io.mtlsgateway.gateway.verify.HandshakeReason;
import io.mtlsgateway.gateway.verify.ClientCertificateRejectedException;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLHandshakeException;

/**
 * Logs failed handshakes: the bounded reason (the metric's label, for grepping) and, for a refused
 * client certificate, the leaf's subject, issuer and serial (enough to find the client, never the
 * certificate itself); otherwise the most specific message the cause chain holds.
 *
 * <p>Anyone can fail handshakes, as fast as they can connect, with a certificate from their own CA
 * whose names say anything. So every peer-derived text goes through {@link LogText} (a CR or LF in
 * a subject must not start a forged record), and each reason is a WARNING at most once a second
 * per listener: later failures within the second are logged at FINE only (seen with
 * {@code --verbose}), and their count is added to the next WARNING for that reason. The metric
 * still counts every failure.
 */
public final class HandshakeFailureLog {
    private static final Logger LOG = Logger.getLogger(HandshakeFailureLog.class.getName());
    private final WarningRate<HandshakeReason> warnings;

    public HandshakeFailureLog() {
        this(System::nanoTime);
    }

    /** With a clock of its own, for tests: nanoseconds, as {@link System#nanoTime()}. */
    HandshakeFailureLog(LongSupplier nanoTime) {
        this.warnings = new WarningRate<>(HandshakeReason.class, nanoTime);
    }

    void record(String listener, SocketAddress peer, HandshakeReason reason, Throwable cause) {
        record(listener, peer, reason, cause, "");
    }

    /** As above, with {@code note} (what the gateway knows beyond the cause) after the detail. */
    void record(String listener, SocketAddress peer, HandshakeReason reason, Throwable cause, String note) {
        // A peer that hangs up mid-handshake (TCP health checks, port scans) is counted, not shouted about.
        boolean warn = reason != HandshakeReason.CLOSED;
        long demoted = 0;
        if (warn) {
            demoted = warnings.admit(reason);
            warn = demoted >= 0;
        }
        Level level = warn ? Level.WARNING : Level.FINE;
        if (!LOG.isLoggable(level)) {
            return;
        }
        String line = "listener " + LogText.of(listener) + ": TLS handshake with " + LogText.of(peer)
                + " failed: reason=" + reason.label() + ": " + LogText.of(detail(cause)) + note
                + (demoted <= 0 ? "" : " (and " + demoted + " more with this reason since the last such warning,"
                        + " logged at FINE only)");
        // No parameters: the text is logged as it is, never read as a MessageFormat pattern.
        LOG.log(level, line);
        LOG.log(Level.FINE, "handshake failure", cause);
    }

    /**
     * What ran out when a handshake timed out: the timeout counts the gateway's own verification of
     * the client's chain too, which waits for a thread of the verification executor under load and
     * may wait for an OCSP responder. Only when nothing of the gateway's was pending was it the client.
     *
     * @param queued tasks waiting in the verification executor's queue now, or -1 if unknown
     */
    static String timeoutNote(Optional<HandshakeTaskExecutor.Verification> verification, int queued) {
        if (verification.isEmpty()) {
            return "";
        }
        return switch (verification.get()) {
            case NOT_STARTED -> "; the gateway was waiting for the client, which had not sent a certificate chain"
                    + " to verify (the client or its network stalled)";
            case QUEUED -> "; the gateway's own verification of the client's certificate was still waiting for a"
                    + " verification thread" + (queued >= 0 ? " (" + queued + " queued)" : "")
                    + ": the gateway is overloaded, not the client";
            case RUNNING -> "; the gateway was still verifying the client's certificate (a slow OCSP responder,"
                    + " or a machine short of CPU): not the client's delay";
            case DONE -> "; the gateway had verified the client's certificate, the rest of the handshake (the"
                    + " client's Finished, or an event loop short of CPU) had not completed";
        };
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
