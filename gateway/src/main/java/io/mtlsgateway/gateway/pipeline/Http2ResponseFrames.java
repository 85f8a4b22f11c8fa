package io.mtlsgateway.gateway.pipeline;

import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The request stage's response messages as the frames of one h2 stream, as Netty's translation
 * makes them ({@link HttpConversionUtil}: {@code :status}, names in lower case, connection-specific
 * fields dropped; in one pass over the fields where no field needs more than its name, see
 * {@link #headOf}): a
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
            head = message instanceof HttpMessage http ? headOf(http) : null;
            trailers = message instanceof LastHttpContent last && !last.trailingHeaders().isEmpty()
                    ? trailersOf(last.trailingHeaders()) : null;
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

    /**
     * The fields no h2 message carries (RFC 9113 section 8.2.2), and the names Netty's translation
     * uses for h2 details: what {@link HttpConversionUtil#toHttp2Headers} drops by name.
     */
    private static final Set<AsciiString> NOT_IN_H2 = Set.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.HOST,
            HttpHeaderNames.UPGRADE, ExtensionHeaderNames.STREAM_ID.text(), ExtensionHeaderNames.SCHEME.text(),
            ExtensionHeaderNames.PATH.text(), ExtensionHeaderNames.PROTOCOL.text());

    /**
     * {@code message}'s head as h2 fields: what Netty's {@link HttpConversionUtil#toHttp2Headers}
     * makes of it, without the map of Connection tokens it builds for every message, when no field
     * needs more than its name (checked against Netty's by {@code Http2ResponseFramesTest}). The
     * rare head with a Connection (tokens naming other fields), TE (only {@code trailers} stays) or
     * Cookie (split for compression) field goes through Netty's own.
     */
    static Http2Headers headOf(HttpMessage message) {
        if (message instanceof HttpResponse response) {
            Http2Headers out = new DefaultHttp2Headers(true, response.headers().size() + 1);
            out.status(response.status().codeAsText());
            if (copiedByName(response.headers(), out)) {
                return out;
            }
        }
        return HttpConversionUtil.toHttp2Headers(message, true);
    }

    static Http2Headers trailersOf(HttpHeaders trailers) {
        Http2Headers out = new DefaultHttp2Headers(true, trailers.size());
        if (copiedByName(trailers, out)) {
            return out;
        }
        return HttpConversionUtil.toHttp2Headers(trailers, true);
    }

    /** @return false, {@code out} to be dropped, when a field's rule needs more than its name */
    private static boolean copiedByName(HttpHeaders in, Http2Headers out) {
        Iterator<Map.Entry<CharSequence, CharSequence>> fields = in.iteratorCharSequence();
        while (fields.hasNext()) {
            Map.Entry<CharSequence, CharSequence> field = fields.next();
            AsciiString name = AsciiString.of(field.getKey()).toLowerCase();
            if (name.equals(HttpHeaderNames.CONNECTION) || name.equals(HttpHeaderNames.TE)
                    || name.equals(HttpHeaderNames.COOKIE)) {
                return false;
            }
            if (!NOT_IN_H2.contains(name)) {
                out.add(name, field.getValue());
            }
        }
        return true;
    }
}
