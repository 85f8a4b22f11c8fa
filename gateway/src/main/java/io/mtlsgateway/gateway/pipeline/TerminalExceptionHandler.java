package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.LogText;
import io.mtlsgateway.gateway.metrics.ConnectionError;
import io.mtlsgateway.gateway.metrics.ListenerMetrics;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * The last handler of every downstream pipeline: an exception no stage handled ends here, and
 * gets one WARN line (the stack trace at FINE), a count by bounded kind, and a close.
 */
@Sharable
final class TerminalExceptionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(TerminalExceptionHandler.class.getName());

    private final String listener;
    private final ListenerMetrics metrics;

    TerminalExceptionHandler(String listener, ListenerMetrics metrics) {
        this.listener = listener;
        this.metrics = metrics;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionError kind = kindOf(cause);
        metrics.connectionError(kind);
        LOG.log(Level.WARNING, "listener {0}: closing connection from {1}: {2}: {3}",
                new Object[] {listener, ctx.channel().remoteAddress(), kind.label(), LogText.of(cause)});
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
