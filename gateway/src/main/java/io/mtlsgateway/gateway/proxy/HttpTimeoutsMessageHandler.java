package io.mtlsgateway.gateway.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The {@link HttpTimeouts} vantage point right after the HTTP codec: sees a request head complete,
 * its body arrive and be asked for (the body clock runs only while the gateway asks), and the end
 * of its final response written, after which the connection is idle again.
 */
final class HttpTimeoutsMessageHandler extends ChannelDuplexHandler {
    private final HttpTimeouts timeouts;
    private final BodyReadTimer body;
    /** A final (non-1xx) response head was written; its end completes a request. */
    private boolean finalResponsePending;
    /** Made once per connection rather than a capturing lambda per response: this runs on every request. */
    private ChannelFutureListener responseWritten;

    HttpTimeoutsMessageHandler(HttpTimeouts timeouts) {
        this.timeouts = timeouts;
        this.body = timeouts.body();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        responseWritten = f -> timeouts.responseWritten(ctx);
        timeouts.messageSideAdded(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (timeouts.bodyTimedOut()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            timeouts.headRead(request);
        }
        if (msg instanceof HttpContent content) {
            body.read(ctx, content.content().readableBytes());
            if (msg instanceof LastHttpContent) {
                body.stop();
            }
        }
        ctx.fireChannelRead(msg);
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
            ctx.write(msg, promise).addListener(responseWritten);
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
        timeouts.stop();
        body.stop();
    }
}
