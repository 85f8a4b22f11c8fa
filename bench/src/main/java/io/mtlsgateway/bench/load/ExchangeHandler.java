package io.mtlsgateway.bench.load;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.ReadTimeoutException;

/**
 * Drives one connection of a {@link Slot}: after the handshake, sends a GET, waits for the response, and either
 * sends the next one (keep-alive mode) or closes (handshake and resume modes). Counts what goes wrong, once per
 * connection.
 */
final class ExchangeHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final Slot slot;
    private final LoadRun run;
    private final long connectStarted;
    private long requestStarted;
    private boolean handshaken;
    private boolean inFlight;
    private boolean failed;

    ExchangeHandler(Slot slot, LoadRun run, long connectStarted) {
        this.slot = slot;
        this.run = run;
        this.connectStarted = connectStarted;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent completion) {
            if (completion.isSuccess()) {
                handshaken = true;
                slot.handshakeCompleted(ctx.pipeline().get(SslHandler.class).engine());
                send(ctx, true);
            } else {
                fail(ctx, ErrorKind.HANDSHAKE, completion.cause());
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void send(ChannelHandlerContext ctx, boolean first) {
        long now = System.nanoTime();
        // A connection that was opened always carries its first request, even if the run ended meanwhile:
        // closing straight after the handshake would show up as failed handshakes on the server under test.
        if (!first && !run.mayContinue(now)) {
            ctx.close();
            return;
        }
        run.countRequest(now);
        FullHttpRequest request = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, HttpMethod.GET, run.options().path(), Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, run.options().serverName());
        if (run.options().mode() != LoadOptions.Mode.KEEPALIVE) {
            // Tells the server up front that no second request follows, as a one-shot client would.
            request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        requestStarted = now;
        inFlight = true;
        ctx.writeAndFlush(request).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                fail(ctx, ErrorKind.IO, f.cause());
            }
        });
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
        long end = System.nanoTime();
        inFlight = false;
        boolean oneShot = run.options().mode() != LoadOptions.Mode.KEEPALIVE;
        // Handshake mode times the whole connection (connect, handshake, request); keep-alive the request only.
        slot.responseReceived(response, oneShot ? connectStarted : requestStarted, end);
        if (!oneShot && HttpUtil.isKeepAlive(response)) {
            send(ctx, false);
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!failed && (inFlight || !handshaken)) {
            fail(ctx, handshaken ? ErrorKind.CLOSED : ErrorKind.HANDSHAKE, null);
        }
        slot.connectionClosed();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ErrorKind kind = cause instanceof ReadTimeoutException ? ErrorKind.TIMEOUT
                : handshaken ? ErrorKind.IO : ErrorKind.HANDSHAKE;
        fail(ctx, kind, cause);
    }

    private void fail(ChannelHandlerContext ctx, ErrorKind kind, Throwable cause) {
        if (!failed) {
            failed = true;
            slot.error(kind, cause);
        }
        ctx.close();
    }
}
