package io.mtlsgateway.bench.load;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * What each stream of an h2 load connection sends: a GET of {@code --path} (h2 mode), or one unary
 * gRPC call with the bench's request message (grpc mode). New headers per stream: the codec owns
 * what it is given.
 */
final class Http2LoadRequest {
    private final LoadOptions options;
    private final boolean grpc;

    Http2LoadRequest(LoadOptions options) {
        this.options = options;
        this.grpc = options.mode() == LoadOptions.Mode.GRPC;
    }

    boolean grpc() {
        return grpc;
    }

    /** Writes the request on {@code stream} (not flushed); {@code onFailure} hears a write that failed. */
    void write(ChannelHandlerContext ctx, Http2FrameStream stream, ChannelFutureListener onFailure) {
        Http2Headers headers = new DefaultHttp2Headers()
                .method(grpc ? HttpMethod.POST.asciiName() : HttpMethod.GET.asciiName())
                .scheme("https")
                .authority(options.serverName())
                .path(options.path());
        if (grpc) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, GrpcMessages.CONTENT_TYPE)
                    .set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
            ctx.write(new DefaultHttp2HeadersFrame(headers, false).stream(stream), ctx.voidPromise());
            ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(GrpcMessages.request()), true).stream(stream))
                    .addListener(onFailure);
        } else {
            ctx.write(new DefaultHttp2HeadersFrame(headers, true).stream(stream)).addListener(onFailure);
        }
    }
}
