package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.LogText;
import io.mtlsgateway.gateway.metrics.ConnectionError;
import io.mtlsgateway.gateway.metrics.ListenerMetrics;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * The last handler of every downstream pipeline: an exception no stage handled ends here, and
 * gets one WARN line (the stack trace at FINE), a count by bounded kind, and a close.
 *
 * <p>Anyone who can connect reaches this handler (a record that is not TLS before the ClientHello,
 * say), as often as they can connect, and exception messages quote what the peer sent (Netty's
 * "not an SSL/TLS record" holds a hex dump of it). So, as for failed handshakes, each kind is a
 * WARNING at most once a second per listener (the others at FINE, counted into the next WARNING),
 * and the message is cut at {@link #MAX_DETAIL} characters. The metric counts every error.
 */
@Sharable
final class TerminalExceptionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(TerminalExceptionHandler.class.getName());
    /** The longest exception text logged. */
    static final int MAX_DETAIL = 300;

    private final String listener;
    private final ListenerMetrics metrics;
    private final WarningRate<ConnectionError> warnings;

    TerminalExceptionHandler(String listener, ListenerMetrics metrics) {
        this(listener, metrics, System::nanoTime);
    }

    /** With a clock of its own, for tests: nanoseconds, as {@link System#nanoTime()}. */
    TerminalExceptionHandler(String listener, ListenerMetrics metrics, LongSupplier nanoTime) {
        this.listener = listener;
        this.metrics = metrics;
        this.warnings = new WarningRate<>(ConnectionError.class, nanoTime);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionError kind = kindOf(cause);
        metrics.connectionError(kind);
        long demoted = warnings.admit(kind);
        Level level = demoted >= 0 ? Level.WARNING : Level.FINE;
        if (LOG.isLoggable(level)) {
            String text = String.valueOf(cause);
            String detail = LogText.of(text.length() > MAX_DETAIL ? text.substring(0, MAX_DETAIL) + "..." : text);
            // No parameters: the text is logged as it is, never read as a MessageFormat pattern.
            LOG.log(level, "listener " + listener + ": closing connection from " + ctx.channel().remoteAddress()
                    + ": " + kind.label() + ": " + detail + (demoted > 0 ? " (and " + demoted + " more of this kind"
                            + " since the last such warning, logged at FINE only)" : ""));
        }
        LOG.log(Level.FINE, "connection error", cause);
        ctx.close();
    }

    static ConnectionError kindOf(Throwable cause) {
        // A TLS failure arrives wrapped in a DecoderException: the cause says what it is.
        Throwable t = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (t instanceof SSLException) {
            return ConnectionError.TLS;
        }
        if (t instanceof DecoderException) {
            return ConnectionError.DECODER;
        }
        if (t instanceof IOException) {
            return ConnectionError.IO;
        }
        return ConnectionError.OTHER;
    }
}
