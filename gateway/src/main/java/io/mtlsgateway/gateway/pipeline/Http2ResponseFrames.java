package io.mtlsgateway.gateway.pipeline;

import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * The request stage's response messages as the frames of one h2 stream, as Netty's translation
 * makes them ({@link HttpConversionUtil}: {@code :status}, connection-specific fields dropped): a
 * head is a HEADERS frame, ending the stream when it is a whole response without body or trailers
 * (a gRPC trailers-only answer is one HEADERS frame); a body part is a DATA frame; an end is a DATA
 * frame ending the stream, or its trailers as a HEADERS frame that does. A 100 Continue is a
 * HEADERS frame that does not end the stream.
 */
final class Http2ResponseFrames {
    private Http2ResponseFrames() {}

    /**
     * Adds {@code message}'s frames to {@code out}; takes ownership of it (its content goes to a
     * DATA frame or is released, also when its fields cannot be translated).
     */
    static void encode(HttpObject message, List<Http2StreamFrame> out) {
        Http2Headers head;
        Http2Headers trailers;
        try {
            if (message instanceof HttpResponse response && response.status().equals(HttpResponseStatus.CONTINUE)
                    && !(message instanceof FullHttpMessage)) {
                throw new EncoderException("100 Continue must be a FullHttpResponse");
            }
            head = message instanceof HttpMessage http ? HttpConversionUtil.toHttp2Headers(http, true) : null;
            trailers = message instanceof LastHttpContent last && !last.trailingHeaders().isEmpty()
                    ? HttpConversionUtil.toHttp2Headers(last.trailingHeaders(), true) : null;
        } catch (RuntimeException e) {
            ReferenceCountUtil.release(message);
            throw e;
        }
        if (message instanceof HttpResponse response && response.status().equals(HttpResponseStatus.CONTINUE)) {
            out.add(new DefaultHttp2HeadersFrame(head, false));
            ReferenceCountUtil.release(message);
            return;
        }
        if (head != null) {
            boolean noMoreFrames = message instanceof FullHttpMessage full
                    && !full.content().isReadable() && trailers == null;
            out.add(new DefaultHttp2HeadersFrame(head, noMoreFrames));
        }
        if (message instanceof LastHttpContent last) {
            if (last.content().isReadable() || (!(message instanceof FullHttpMessage) && trailers == null)) {
                out.add(new DefaultHttp2DataFrame(last.content(), trailers == null));
            } else {
                last.release();
            }
            if (trailers != null) {
                out.add(new DefaultHttp2HeadersFrame(trailers, true));
            }
        } else if (message instanceof HttpContent content) {
            out.add(new DefaultHttp2DataFrame(content.content(), false));
        }
    }
}
