package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.config.HttpSettings;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
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
 *   <li>A request is being served: no limit here (the upstream's timeouts apply).
 * </ul>
 */
final class HttpTimeouts {
    private final long headerReadMillis;
    private final long idleMillis;
    private ChannelHandlerContext messageCtx;
    /** Request heads read whose final response has not been completely written yet. */
    private int inFlight;
    private boolean readingHead;
    private ScheduledFuture<?> timer;

    HttpTimeouts(HttpSettings settings) {
        this.headerReadMillis = settings.headerReadTimeout().toMillis();
        this.idleMillis = settings.idleTimeout().toMillis();
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
        cancel();
        timer = ctx.executor().schedule(onTimeout, millis, TimeUnit.MILLISECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void armIdle(ChannelHandlerContext ctx) {
        readingHead = false;
        arm(ctx, idleMillis, ctx::close);
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
            cancel();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            cancel();
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
            if (msg instanceof HttpRequest) {
                inFlight++;
                readingHead = false;
                cancel();
            }
            ctx.fireChannelRead(msg);
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
        public void handlerRemoved(ChannelHandlerContext ctx) {
            cancel();
        }
    }
}
