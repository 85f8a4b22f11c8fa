package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.config.HttpSettings;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * The header-read and idle timeouts of one client connection, so slow or silent clients cannot
 * hold connections forever. Needs two vantage points, hence two handlers sharing this state: one
 * before the codec sees the first byte of a request arrive; one after it sees the request head
 * complete and the response end.
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
        this.body = new BodyReadTimer(settings, this::bodyTimedOut);
    }

    /** Goes before the HTTP codec. */
    ChannelHandler rawSide() {
        return new RawSide();
    }

    /** Goes right after the HTTP codec. */
    ChannelHandler messageSide() {
        return new MessageSide();
    }

    private void arm(ChannelHandlerContext ctx, long millis, Runnable onTimeout) {
        timer.arm(ctx.executor(), TimeUnit.MILLISECONDS.toNanos(millis), onTimeout);
    }

    /** Between two arms on a live connection. */
    private void cancel() {
        timer.disarm();
    }

    /** The connection or the stage ends: nothing may stay scheduled. */
    private void stop() {
        timer.stop();
    }

    private void armIdle(ChannelHandlerContext ctx) {
        readingHead = false;
        arm(ctx, idleMillis, ctx::close);
    }

    /** Fired at the proxy when a request body is too slow: it answers (or cuts off) the request. */
    static final Object BODY_READ_TIMED_OUT = new Object() {
        @Override
        public String toString() {
            return "BODY_READ_TIMED_OUT";
        }
    };

    private void bodyTimedOut() {
        bodyTimedOut = true;
        ChannelHandlerContext ctx = messageCtx;
        if (ctx == null || ctx.isRemoved()) {
            return;
        }
        ctx.channel().config().setAutoRead(false);
        // The request's owner answers, so that the 408 is the request's recorded outcome.
        ctx.fireUserEventTriggered(BODY_READ_TIMED_OUT);
    }

    private final class RawSide extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            armIdle(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf bytes && bytes.isReadable() && inFlight == 0 && !readingHead) {
                readingHead = true;
                arm(ctx, headerReadMillis, () -> headerTimedOut(ctx));
            }
            ctx.fireChannelRead(msg);
        }

        private void headerTimedOut(ChannelHandlerContext ctx) {
            if (messageCtx != null && !messageCtx.isRemoved()) {
                ErrorResponses.write(messageCtx, ProxyError.HEADER_READ_TIMEOUT, true);
            } else {
                ctx.close();
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            stop();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            stop();
            ctx.fireChannelInactive();
        }
    }

    private final class MessageSide extends ChannelDuplexHandler {
        /** A final (non-1xx) response head was written; its end completes a request. */
        private boolean finalResponsePending;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            messageCtx = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (bodyTimedOut) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest request) {
                inFlight++;
                readingHead = false;
                cancel();
                if (!(msg instanceof LastHttpContent) && hasBody(request)) {
                    body.started();
                }
            }
            if (msg instanceof HttpContent content) {
                body.read(ctx, content.content().readableBytes());
                if (msg instanceof LastHttpContent) {
                    body.stop();
                }
            }
            ctx.fireChannelRead(msg);
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

        @Override
        public void read(ChannelHandlerContext ctx) {
            body.readRequested(ctx);
            ctx.read();
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof HttpResponse response) {
                int code = response.status().code();
                finalResponsePending = code >= 200 || code == HttpResponseStatus.SWITCHING_PROTOCOLS.code();
            }
            if (msg instanceof LastHttpContent && finalResponsePending) {
                finalResponsePending = false;
                ctx.write(msg, promise).addListener((ChannelFutureListener) f -> {
                    if (--inFlight <= 0) {
                        inFlight = 0;
                        if (f.channel().isActive() && !ctx.isRemoved()) {
                            armIdle(ctx);
                        }
                    }
                });
                return;
            }
            ctx.write(msg, promise);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            body.stop();
            ctx.fireChannelInactive();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            stop();
            body.stop();
        }
    }
}
