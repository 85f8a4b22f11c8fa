package io.mtlsgateway.bench.load;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.util.ReferenceCountUtil;

/**
 * Drives one h2 connection of a {@link Slot} (h2 and grpc modes): after the handshake (which must have chosen
 * h2 in ALPN) opens {@code --streams} streams, and whenever one completes opens the next, so that many stay in
 * flight until the run ends; then lets the last ones finish and closes. A GOAWAY from the server stops new
 * streams on this connection; the slot then opens a new connection. Errors of the connection itself are counted
 * once per connection, those of a stream once per stream.
 */
final class Http2ExchangeHandler extends Http2ChannelDuplexHandler {
    private final Slot slot;
    private final LoadRun run;
    private final Http2LoadRequest request;
    private final StreamsInFlight inFlight = new StreamsInFlight();
    private boolean handshaken;
    private boolean goingAway;
    private boolean failed;

    Http2ExchangeHandler(Slot slot, LoadRun run) {
        this.slot = slot;
        this.run = run;
        this.request = new Http2LoadRequest(run.options());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent completion) {
            if (!completion.isSuccess()) {
                fail(ctx, ErrorKind.HANDSHAKE, completion.cause());
                return;
            }
            SslHandler tls = ctx.pipeline().get(SslHandler.class);
            if (!ApplicationProtocolNames.HTTP_2.equals(tls.applicationProtocol())) {
                fail(ctx, ErrorKind.ALPN, new IllegalStateException("ALPN chose " + tls.applicationProtocol()));
                return;
            }
            handshaken = true;
            slot.handshakeCompleted(tls.engine());
            // As on an HTTP/1.1 connection, a connection that was opened carries its streams even if the run
            // ended meanwhile.
            for (int i = 0; i < run.options().streams(); i++) {
                open(ctx, System.nanoTime());
            }
            ctx.flush();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void open(ChannelHandlerContext ctx, long now) {
        run.countRequest(now);
        Http2FrameStream stream = newStream();
        inFlight.opened(stream, new StreamResponse(now, request.grpc()));
        request.write(ctx, stream, writeFailure(ctx));
    }

    private ChannelFutureListener writeFailure(ChannelHandlerContext ctx) {
        return f -> {
            if (!f.isSuccess()) {
                fail(ctx, ErrorKind.IO, f.cause());
            }
        };
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2HeadersFrame headers) {
                StreamResponse exchange = inFlight.response(headers.stream());
                if (exchange != null && exchange.headers(headers.headers(), headers.isEndStream())) {
                    completed(ctx, headers.stream(), exchange);
                }
            } else if (msg instanceof Http2DataFrame data) {
                StreamResponse exchange = inFlight.response(data.stream());
                if (exchange != null && exchange.data(data.content(), data.isEndStream())) {
                    completed(ctx, data.stream(), exchange);
                }
            } else if (msg instanceof Http2ResetFrame reset) {
                if (inFlight.ended(reset.stream())) {
                    slot.error(ErrorKind.RESET, new IllegalStateException("RST_STREAM " + reset.errorCode()));
                }
            } else if (msg instanceof Http2GoAwayFrame) {
                // Graceful: the streams in flight still finish; then this connection closes and the slot reconnects.
                goingAway = true;
                inFlight.replaceOne();
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void completed(ChannelHandlerContext ctx, Http2FrameStream stream, StreamResponse exchange) {
        inFlight.ended(stream);
        slot.exchangeCompleted(exchange.wrong(), exchange.started(), System.nanoTime());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        long now = System.nanoTime();
        // Streams that ended in this read are replaced now (see StreamsInFlight).
        for (int n = inFlight.takeReplacements(); n > 0 && !goingAway && !failed && run.mayContinue(now); n--) {
            open(ctx, now);
        }
        if (inFlight.isEmpty() && handshaken) {
            ctx.close(); // the run is over, or the server is going away: the slot decides what comes next
        }
        ctx.fireChannelReadComplete(); // the codec flushes what was written after this returns
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!failed && (!inFlight.isEmpty() || !handshaken)) {
            fail(ctx, handshaken ? ErrorKind.CLOSED : ErrorKind.HANDSHAKE, null);
        }
        inFlight.clear();
        slot.connectionClosed();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException streamError) {
            // One stream failed (the codec reset it); the connection goes on.
            if (inFlight.ended(streamError.stream())) {
                slot.error(ErrorKind.RESET, cause);
            }
            return;
        }
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
