package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.config.HeaderNames;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Netty's translation of a client stream's frames into HTTP/1.1 objects, made to look exactly like
 * what the HTTP/1.1 codec decodes: a request that ended with its HEADERS frame is its head and an
 * empty end, and the {@code x-http2-*} names Netty uses to carry h2 details through HTTP/1.1
 * objects are removed, whether Netty or the client put them there (an upstream must never see them).
 *
 * <p>Two authorities: Netty turns {@code :authority} into a Host and keeps one Host for {@code host}
 * fields naming the same authority (RFC 9113 §8.3.1 allows both), but resets the stream when a
 * {@code host} field names another: here such a request instead reaches the request stage with all
 * its Host values, which refuses it (400 {@code bad_host}) before routing and before any upstream,
 * as it refuses an HTTP/1.1 request with two Host headers.
 */
final class Http2StreamCodec extends Http2StreamFrameToHttpObjectCodec {
    static final String TRANSLATION_PREFIX = "x-http2-";

    Http2StreamCodec() {
        super(true);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Http2StreamFrame frame, List<Object> out) throws Exception {
        Http2HeadersFrame headersFrame = frame instanceof Http2HeadersFrame headers ? headers : null;
        if (headersFrame != null && headersFrame.headers().method() != null && !requestLineSafe(headersFrame.headers())) {
            // Netty's translation throws on such a :method or :path (its full-request path after
            // allocating a body buffer it never releases), and the stream was never answered.
            // Refused as HTTP/1.1 refuses them: a head that failed decoding, 400 before routing.
            HttpRequest invalid = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request");
            invalid.setDecoderResult(DecoderResult.failure(
                    new IllegalArgumentException(":method or :path is not visible ASCII")));
            out.add(invalid);
            if (headersFrame.isEndStream()) {
                out.add(new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, true));
            }
            return;
        }
        List<CharSequence> conflicting = headersFrame != null && headersFrame.headers().method() != null
                ? takeConflictingHosts(headersFrame.headers()) : null;
        int first = out.size();
        if (headersFrame != null && headersFrame.isEndStream() && headersFrame.headers().method() != null) {
            // A request without a body (most GETs): Netty would make it one full request, with a
            // pooled buffer for its empty body, to be split again; the same head from the same
            // translation, and an empty end, at once.
            int id = frame.stream() == null ? 0 : frame.stream().id();
            out.add(HttpConversionUtil.toHttpRequest(id, headersFrame.headers(), true));
            out.add(new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, true));
        } else {
            super.decode(ctx, frame, out);
        }
        for (int i = first; i < out.size(); i++) {
            Object decoded = out.get(i);
            if (decoded instanceof HttpRequest request) {
                stripTranslationHeaders(request.headers());
                if (conflicting != null) {
                    conflicting.forEach(host -> request.headers().add(HttpHeaderNames.HOST, host));
                }
            } else if (decoded instanceof LastHttpContent last) {
                stripTranslationHeaders(last.trailingHeaders());
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException) {
            // A malformed stream the codec has reset already (counted on the connection): the
            // client caused it, so no warning per stream; the request stage sees the stream close.
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    /**
     * Whether the head's method is a token and its target (the {@code :path}, or the
     * {@code :authority} of a CONNECT) is visible ASCII: what an HTTP/1.1 request line may hold
     * (RFC 9112 section 3), so the request line the upstream receives is the one routed on.
     */
    static boolean requestLineSafe(Http2Headers head) {
        CharSequence method = head.method();
        if (!HeaderNames.isToken(method)) {
            return false;
        }
        CharSequence target = AsciiString.contentEquals(method, "CONNECT") ? head.authority() : head.path();
        if (target == null) {
            return true; // the codec's own check of the required pseudo-headers answers this
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    /**
     * The {@code host} fields of a request head, removed from it, when one names another authority
     * than {@code :authority} (or, without it, than the first {@code host} field); host names
     * compare case-insensitively, ports must be the same. Null, and nothing removed, otherwise.
     */
    static List<CharSequence> takeConflictingHosts(Http2Headers head) {
        CharSequence first = head.get(HttpHeaderNames.HOST);
        if (first == null) {
            return null; // the usual request: one look-up
        }
        CharSequence authority = head.authority();
        CharSequence named = authority != null ? authority : first;
        List<CharSequence> hosts = head.getAll(HttpHeaderNames.HOST);
        for (CharSequence host : hosts) {
            if (!AsciiString.contentEqualsIgnoreCase(named, host)) {
                head.remove(HttpHeaderNames.HOST);
                return hosts;
            }
        }
        return null;
    }

    // Runs for every stream: compares the names as they are stored (no String copy, no lower-casing)
    // and allocates only when there is something to remove (Netty's x-http2-stream-id, always).
    static void stripTranslationHeaders(HttpHeaders headers) {
        List<CharSequence> names = null;
        Iterator<Map.Entry<CharSequence, CharSequence>> entries = headers.iteratorCharSequence();
        while (entries.hasNext()) {
            CharSequence name = entries.next().getKey();
            if (AsciiString.regionMatches(name, true, 0, TRANSLATION_PREFIX, 0, TRANSLATION_PREFIX.length())) {
                if (names == null) {
                    names = new ArrayList<>(2);
                }
                names.add(name);
            }
        }
        if (names != null) {
            names.forEach(headers::remove);
        }
    }
}
