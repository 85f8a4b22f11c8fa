package io.mtlsgateway.bench.load;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.HashMap;
import java.util.Map;

/**
 * One h2c connection of {@link GrpcUpstream}: reads each call to its end, then answers it with the response
 * message and its trailers. The request message itself is not checked (the proxies pass it through untouched).
 */
final class UnaryResponder extends ChannelInboundHandlerAdapter {
    // The grpc-status of each call whose request has not ended yet, decided from its headers.
    private final Map<Http2FrameStream, String> pending = new HashMap<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2HeadersFrame headers) {
                // The first HEADERS of a stream is the request head; a second one would be request trailers.
                pending.putIfAbsent(headers.stream(), statusFor(headers.headers()));
                if (headers.isEndStream()) {
                    respond(ctx, headers.stream());
                }
            } else if (msg instanceof Http2DataFrame data && data.isEndStream()) {
                respond(ctx, data.stream());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    // 0 OK; 12 UNIMPLEMENTED for another method; 16 UNAUTHENTICATED when the proxy injected no identity.
    private static String statusFor(Http2Headers request) {
        if (!"POST".contentEquals(request.method()) || !GrpcMessages.METHOD_PATH.contentEquals(request.path())) {
            return "12";
        }
        return request.contains(GrpcMessages.IDENTITY_HEADER) ? "0" : "16";
    }

    private void respond(ChannelHandlerContext ctx, Http2FrameStream stream) {
        String status = pending.remove(stream);
        if (status == null) {
            return;
        }
        Http2Headers head = new DefaultHttp2Headers().status("200")
                .set(HttpHeaderNames.CONTENT_TYPE, GrpcMessages.CONTENT_TYPE);
        ctx.write(new DefaultHttp2HeadersFrame(head, false).stream(stream), ctx.voidPromise());
        if ("0".equals(status)) {
            ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(GrpcMessages.response()), false).stream(stream),
                    ctx.voidPromise());
        }
        Http2Headers trailers = new DefaultHttp2Headers().set("grpc-status", status);
        ctx.write(new DefaultHttp2HeadersFrame(trailers, true).stream(stream), ctx.voidPromise());
        // The codec flushes at the end of the read.
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
