package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.config.Http2Limits;
import io.mtlsgateway.gateway.LogText;
import io.mtlsgateway.gateway.metrics.Http2Metrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The life of one h2 connection, after the frame codec: asks the client to go away (GOAWAY, then
 * open streams finish) when its {@link Http2ConnectionLifetime} says so (age, request count, idle),
 * when the gateway drains, and when a reload no longer trusts the client's certificate; cuts off a
 * client that floods PING or SETTINGS frames; counts GOAWAYs (stream resets are counted by
 * {@link StreamResetCounter}, where every one is written).
 */
final class Http2ConnectionGuard extends ChannelDuplexHandler {
    private static final Logger LOG = Logger.getLogger(Http2ConnectionGuard.class.getName());

    private final Http2ConnectionLifetime lifetime;
    private final String listener;
    /** The host entry the client connected to, on a listener with hosts: trust changes of others are not its. */
    private final Optional<String> host;
    private final VerifiedPeer peer;
    private final Http2Metrics metrics;
    private ChannelHandlerContext ctx;
    private boolean goingAway;
    private final ControlFrameRate controlFrames = new ControlFrameRate(System.nanoTime());
    private boolean cutOff;
    private final Optional<Duration> firstStreamTimeout;

    /**
     * @param idleTimeout a connection without open streams for this long is asked to go away
     * @param firstStreamTimeout set for a connection over its client's connection cap: if it opens no
     *     stream (which would be answered 429) within this time, it is asked to go away
     */
    Http2ConnectionGuard(Http2Limits limits, Duration idleTimeout, Optional<Duration> firstStreamTimeout,
            String listener, Optional<String> host, VerifiedPeer peer, Http2Metrics metrics) {
        this.firstStreamTimeout = firstStreamTimeout;
        this.lifetime = new Http2ConnectionLifetime(limits, idleTimeout, metrics);
        this.listener = listener;
        this.host = host;
        this.peer = peer;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        lifetime.start(ctx.executor(), this::goAway);
        firstStreamTimeout.ifPresent(timeout -> lifetime.firstStreamWithin(timeout, GoAwayReason.CONNECTION_LIMIT));
        ctx.pipeline().get(Http2FrameCodec.class).connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
                // The gateway's own graceful reasons are counted where they are decided.
                if (errorCode != Http2Error.NO_ERROR.code() || !goingAway) {
                    Http2Error error = Http2Error.valueOf(errorCode);
                    metrics.goAwaySent(error == null ? "unknown" : error.name());
                }
            }
        });
    }

    /** A client stream was opened: the connection's request count grows. */
    void streamOpened() {
        lifetime.streamOpened();
    }

    /** A client stream opened with {@link #streamOpened} closed. */
    void streamClosed() {
        lifetime.streamClosed();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if ((msg instanceof Http2PingFrame ping && !ping.ack()) || msg instanceof Http2SettingsFrame) {
            if (controlFrames.exceeded(System.nanoTime())) {
                cutOff(ctx);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Abuse: GOAWAY with ENHANCE_YOUR_CALM, then close without waiting for open streams. */
    private void cutOff(ChannelHandlerContext ctx) {
        if (cutOff) {
            return;
        }
        cutOff = true;
        goingAway = true;
        lifetime.stop();
        metrics.goAwaySent(GoAwayReason.CONTROL_FLOOD.name());
        LOG.log(Level.WARNING, "listener {0}: closing the h2 connection of {1}: more than {2} PING/SETTINGS "
                + "frames in 10 s", new Object[] {listener, peer.clientAddress(), ControlFrameRate.MAX_PER_WINDOW});
        ChannelHandlerContext tls = ctx.pipeline().context(SslHandler.class);
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.ENHANCE_YOUR_CALM))
                .addListener(f -> tls.close());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == Http2ConnectionCap.EXCEEDED) {
            goAway(GoAwayReason.CONNECTION_LIMIT);
            return;
        }
        if (evt instanceof DrainEvent) {
            goAway(GoAwayReason.DRAIN);
        } else if (evt instanceof TrustChangedEvent change && change.concerns(listener, host)
                && !peer.chain().isEmpty() && !goingAway && !change.stillTrusted().test(peer.chain())) {
            LOG.log(Level.WARNING, "listener {0}: closing the h2 connection of {1} (subject \"{2}\", serial {3}) "
                    + "after its open streams: {4}",
                    new Object[] {listener, peer.clientAddress(), LogText.of(peer.identity().subject()),
                        peer.identity().serial(), change.why()});
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
        lifetime.stop();
        metrics.goAwaySent(reason.name());
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        lifetime.stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException) {
            // A stream error on an open stream; the connection goes on. h2-streams resets the stream
            // with the error, and StreamResetCounter counts that reset as the codec writes it.
            ctx.fireExceptionCaught(cause);
            return;
        }
        if (cause instanceof Http2Exception) {
            // A connection error: the codec shows it here first, then answers it with GOAWAY and
            // the error's code, and closes. Closing here would send a NO_ERROR GOAWAY before it.
            LOG.log(Level.FINE, "h2 connection error from " + peer.clientAddress(), cause);
            return;
        }
        LOG.log(Level.FINE, "h2 connection failure from " + peer.clientAddress(), cause);
        ctx.close();
    }
}
