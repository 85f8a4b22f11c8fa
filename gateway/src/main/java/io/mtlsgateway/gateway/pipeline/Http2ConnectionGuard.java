package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.config.Http2Limits;
import io.mtlsgateway.gateway.LogText;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The life of one h2 connection, after the frame codec: asks the client to go away (GOAWAY, then
 * open streams finish) when the connection reaches its age or its request count, when the gateway
 * drains, and when a reload no longer trusts the client's certificate.
 */
final class Http2ConnectionGuard extends ChannelDuplexHandler {
    private static final Logger LOG = Logger.getLogger(Http2ConnectionGuard.class.getName());

    private final Http2Limits limits;
    private final String listener;
    private final VerifiedPeer peer;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> ageTimer;
    private long streams;
    private boolean goingAway;

    Http2ConnectionGuard(Http2Limits limits, String listener, VerifiedPeer peer) {
        this.limits = limits;
        this.listener = listener;
        this.peer = peer;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ageTimer = ctx.executor().schedule(() -> goAway(GoAwayReason.MAX_AGE),
                limits.maxConnectionAge().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A client stream was opened: the connection's request count grows. */
    void streamOpened(Http2StreamChannel stream) {
        streams++;
        if (streams >= limits.maxRequestsPerConnection()) {
            // This stream is still served: the GOAWAY names it as the last one.
            goAway(GoAwayReason.MAX_REQUESTS);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof DrainEvent) {
            goAway(GoAwayReason.DRAIN);
        } else if (evt instanceof TrustChangedEvent change && change.listener().equals(listener)
                && !peer.chain().isEmpty() && !goingAway && !change.stillTrusted().test(peer.chain())) {
            LOG.log(Level.WARNING, "listener {0}: closing the h2 connection of {1} (subject \"{2}\", serial {3}) "
                    + "after its open streams: the reloaded trust material no longer accepts its certificate",
                    new Object[] {listener, peer.clientAddress(), LogText.of(peer.identity().subject()),
                        peer.identity().serial()});
            goAway(GoAwayReason.UNTRUSTED);
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** GOAWAY with the last stream the client opened; the codec closes once those streams end. */
    private void goAway(GoAwayReason reason) {
        if (goingAway) {
            return;
        }
        goingAway = true;
        cancelAgeTimer();
        LOG.log(Level.FINE, "listener {0}: GOAWAY to {1}: {2}", new Object[] {listener, peer.clientAddress(), reason});
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelAgeTimer();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The codec has answered protocol errors with RST_STREAM or GOAWAY already.
        LOG.log(Level.WARNING, "h2 connection error from " + peer.clientAddress(), cause);
        ctx.close();
    }

    private void cancelAgeTimer() {
        if (ageTimer != null) {
            ageTimer.cancel(false);
            ageTimer = null;
        }
    }

    /** Why the gateway asked a client to go away; bounded, for metrics. */
    enum GoAwayReason {
        MAX_AGE, MAX_REQUESTS, DRAIN, UNTRUSTED
    }
}
