package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.upstream.UpstreamStreamException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits between a request's upstream h2 stream and the exchange, so the exchange sees the same
 * HTTP messages as from an HTTP/1.1 upstream. Going up: {@code x-http2-*} names (Netty reads some
 * of them as instructions, such as the scheme) never reach the codec, which sets the scheme of the
 * connection itself, and {@code te: trailers} is sent (the gateway relays trailers, and gRPC servers
 * expect it); Netty's conversion drops the connection-specific fields; a request without a body
 * goes as one HEADERS frame. Coming back: Netty's
 * {@code x-http2-stream-id} is removed, and a RST_STREAM or a GOAWAY that leaves the stream out
 * becomes an {@link UpstreamStreamException}, telling whether the upstream never processed it.
 */
final class Http2UpstreamStreamAdapter extends ChannelDuplexHandler {
    /** A request head not written yet: if an empty end follows, both go as one HEADERS frame. */
    private HttpRequest heldHead;
    private ChannelPromise heldPromise;
    /** Why the upstream ended the stream, told to the exchange when the stream closes. */
    private UpstreamStreamException ended;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpRequest request) {
            Http2RequestMessages.stripTranslationHeaders(request.headers());
            request.headers().set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
            if (!(msg instanceof FullHttpRequest)) {
                writeHeld(ctx);
                heldHead = request;
                heldPromise = promise;
                return;
            }
        }
        if (msg instanceof LastHttpContent last) {
            Http2RequestMessages.stripTranslationHeaders(last.trailingHeaders());
            if (heldHead != null && !last.content().isReadable() && last.trailingHeaders().isEmpty()) {
                // A request without a body ends with its HEADERS frame (END_STREAM) rather than an
                // empty DATA frame: an upstream that has just sent GOAWAY ignores the HEADERS of a
                // stream it will not process, but Netty-based ones (grpc-java too) take a DATA frame
                // on such a stream for a connection error, which would fail its other streams too.
                last.release();
                writeWhole(ctx, promise);
                return;
            }
        }
        writeHeld(ctx);
        ctx.write(msg, promise);
    }

    private void writeWhole(ChannelHandlerContext ctx, ChannelPromise endPromise) {
        HttpRequest head = heldHead;
        ChannelPromise headPromise = heldPromise;
        heldHead = null;
        heldPromise = null;
        FullHttpRequest whole = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
                Unpooled.EMPTY_BUFFER, head.headers(), EmptyHttpHeaders.INSTANCE);
        ctx.write(whole).addListener(f -> {
            if (f.isSuccess()) {
                headPromise.trySuccess();
                endPromise.trySuccess();
            } else {
                headPromise.tryFailure(f.cause());
                endPromise.tryFailure(f.cause());
            }
        });
    }

    private void writeHeld(ChannelHandlerContext ctx) {
        if (heldHead != null) {
            HttpRequest head = heldHead;
            heldHead = null;
            ctx.write(head, heldPromise);
            heldPromise = null;
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        writeHeld(ctx);
        ctx.flush();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (heldHead != null) {
            heldHead = null;
            heldPromise.tryFailure(new java.nio.channels.ClosedChannelException());
            heldPromise = null;
        }
        ctx.close(promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse response) {
            Http2RequestMessages.stripTranslationHeaders(response.headers());
        }
        if (msg instanceof LastHttpContent last) {
            Http2RequestMessages.stripTranslationHeaders(last.trailingHeaders());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        // Netty closes the stream right after either event. Closing it here instead would answer
        // with a RST_STREAM of our own, which the RFC forbids after a reset, and which a Netty
        // server takes for a connection error on a stream it ignored after its GOAWAY.
        if (evt instanceof Http2ResetFrame reset) {
            Http2Error error = Http2Error.valueOf(reset.errorCode());
            String name = error == null ? "error " + reset.errorCode() : error.name();
            ended = new UpstreamStreamException("the upstream reset the stream (" + name + ")",
                    error == Http2Error.REFUSED_STREAM);
            return;
        }
        if (evt instanceof Http2GoAwayFrame goAway) {
            // Sent to the streams above the GOAWAY's last stream id only: they were never processed.
            ReferenceCountUtil.release(goAway);
            ended = new UpstreamStreamException("the upstream is going away and did not process the stream", true);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (ended != null) {
            ctx.fireExceptionCaught(ended);
        }
        ctx.fireChannelInactive();
    }
}
