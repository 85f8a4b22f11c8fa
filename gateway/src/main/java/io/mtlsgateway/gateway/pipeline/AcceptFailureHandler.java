package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.LogText;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * On a listening socket: a failed accept (at file-descriptor exhaustion, "Too many open files")
 * is one WARNING line without a stack trace, and accepting pauses for a second so the loop does not
 * spin on the same error. Netty's own acceptor pauses too, but then hands the error to the end of
 * the pipeline, which logs a stack trace per failure; this handler sits before it and keeps the
 * error.
 */
public final class AcceptFailureHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(AcceptFailureHandler.class.getName());
    /** How long accepting pauses after a failure. */
    static final long PAUSE_MILLIS = 1_000;

    private final String listener;

    public AcceptFailureHandler(String listener) {
        this.listener = listener;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        boolean pausing = ctx.channel().config().isAutoRead();
        LOG.log(Level.WARNING, "listener " + LogText.of(listener) + ": cannot accept a connection: "
                + LogText.of(cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName())
                + (pausing ? "; accepting again in 1 s" : ""));
        LOG.log(Level.FINE, "accept failure", cause);
        if (pausing) {
            ctx.channel().config().setAutoRead(false);
            ctx.channel().eventLoop().schedule(() -> {
                ctx.channel().config().setAutoRead(true);
            }, PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
