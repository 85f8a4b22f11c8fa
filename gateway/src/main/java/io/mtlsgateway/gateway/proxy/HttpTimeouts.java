package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.gateway.pipeline.ChannelDownstream;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.TimeUnit;

/**
 * The header-read and idle timeouts of one client connection, so slow or silent clients cannot
 * hold connections forever. Needs two vantage points, hence two handlers sharing this state:
 * {@link HttpTimeoutsRawHandler} before the codec sees the first byte of a request arrive;
 * {@link HttpTimeoutsMessageHandler} after it sees the request head complete and the response end.
 *
 * <ul>
 *   <li>No request in progress: closed after {@code idleTimeout} without a byte.
 *   <li>A request has begun: its head must be complete within {@code headerReadTimeout}, or the
 *       client gets 408 and the connection is closed.
 *   <li>Its body is being read: see {@link BodyReadTimer}; for a client too slow the proxy is
 *       told ({@link #BODY_READ_TIMED_OUT}), nothing more is read, and the connection closes.
 *   <li>A request is being served: no other limit here (the upstream's timeouts apply).
 * </ul>
 */
final class HttpTimeouts {
    /** Fired at the proxy when a request body is too slow: it answers (or cuts off) the request. */
    static final Object BODY_READ_TIMED_OUT = new Object() {
        @Override
        public String toString() {
            return "BODY_READ_TIMED_OUT";
        }
    };

    private final long headerReadMillis;
    private final long idleMillis;
    private ChannelHandlerContext messageCtx;
    /** Request heads read whose final response has not been completely written yet. */
    private int inFlight;
    private boolean readingHead;
    /** The header-read or the idle timeout, whichever applies now. */
    private final DeadlineTimer timer;
    private final BodyReadTimer body;
    /** A request body was too slow: nothing more is read or relayed on this connection. */
    private boolean bodyTimedOut;

    HttpTimeouts(HttpSettings settings) {
        this.headerReadMillis = settings.headerReadTimeout().toMillis();
        this.idleMillis = settings.idleTimeout().toMillis();
        this.timer = new DeadlineTimer(TimeUnit.MILLISECONDS.toNanos(Math.min(headerReadMillis, idleMillis)));
        this.body = new BodyReadTimer(settings, this::onBodyTimeout);
    }

    /** Goes before the HTTP codec. */
    ChannelHandler rawSide() {
        return new HttpTimeoutsRawHandler(this);
    }

    /** Goes right after the HTTP codec. */
    ChannelHandler messageSide() {
        return new HttpTimeoutsMessageHandler(this);
    }

    /** The message-side handler is in place: answers (408) go out through it. */
    void messageSideAdded(ChannelHandlerContext ctx) {
        messageCtx = ctx;
    }

    /** No request in progress: the idle clock runs. */
    void idle(ChannelHandlerContext ctx) {
        readingHead = false;
        arm(ctx, idleMillis, ctx::close);
    }

    /** Bytes arrived before the codec: the first of a new request starts the header-read clock. */
    void bytesArrived(ChannelHandlerContext rawCtx) {
        if (inFlight == 0 && !readingHead) {
            readingHead = true;
            arm(rawCtx, headerReadMillis, () -> headerTimedOut(rawCtx));
        }
    }

    private void headerTimedOut(ChannelHandlerContext rawCtx) {
        if (messageCtx != null && !messageCtx.isRemoved()) {
            ErrorResponses.write(new ChannelDownstream(messageCtx), ProxyError.HEADER_READ_TIMEOUT, true);
        } else {
            rawCtx.close();
        }
    }

    /** A whole request head was decoded: its clock stops; a body it announces is timed from now. */
    void headRead(HttpRequest request) {
        inFlight++;
        readingHead = false;
        timer.disarm();
        if (!(request instanceof LastHttpContent) && hasBody(request)) {
            body.started();
        }
    }

    /** A request that failed decoding is refused and closed: its body is never read. */
    private static boolean hasBody(HttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            return false;
        }
        try {
            return HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    BodyReadTimer body() {
        return body;
    }

    boolean bodyTimedOut() {
        return bodyTimedOut;
    }

    /** A final response was completely written: with none left in flight, the connection is idle. */
    void responseWritten(ChannelHandlerContext messageCtx) {
        if (--inFlight <= 0) {
            inFlight = 0;
            if (messageCtx.channel().isActive() && !messageCtx.isRemoved()) {
                idle(messageCtx);
            }
        }
    }

    /** The connection or the stage ends: nothing may stay scheduled. */
    void stop() {
        timer.stop();
    }

    private void arm(ChannelHandlerContext ctx, long millis, Runnable onTimeout) {
        timer.arm(ctx.executor(), TimeUnit.MILLISECONDS.toNanos(millis), onTimeout);
    }

    private void onBodyTimeout() {
        bodyTimedOut = true;
        ChannelHandlerContext ctx = messageCtx;
        if (ctx == null || ctx.isRemoved()) {
            return;
        }
        ctx.channel().config().setAutoRead(false);
        // The request's owner answers, so that the 408 is the request's recorded outcome.
        ctx.fireUserEventTriggered(BODY_READ_TIMED_OUT);
    }
}
