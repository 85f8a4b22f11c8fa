package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.config.HeaderNames;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A client stream's frames as the HTTP messages the request stage reads, made to look exactly like
 * what the HTTP/1.1 codec decodes: a head (a request that ended with its HEADERS frame: its head
 * and an empty end), body parts, an end with the trailers. The head comes from Netty's own
 * translation ({@link HttpConversionUtil}), and the {@code x-http2-*} names it uses to carry h2
 * details are removed, whether Netty or the client put them there (an upstream must never see them).
 *
 * <p>Two authorities: Netty turns {@code :authority} into a Host and keeps one Host for {@code host}
 * fields naming the same authority (RFC 9113 §8.3.1 allows both), but refuses the head when a
 * {@code host} field names another: here such a request instead reaches the request stage with all
 * its Host values, which refuses it (400 {@code bad_host}) before routing and before any upstream,
 * as it refuses an HTTP/1.1 request with two Host headers.
 */
final class Http2RequestMessages {
    static final String TRANSLATION_PREFIX = "x-http2-";

    private Http2RequestMessages() {}

    /**
     * Translates one HEADERS or DATA frame of stream {@code id}; a DATA frame's content goes to the
     * message made of it.
     *
     * @throws Http2Exception a HEADERS frame that is neither a request head nor trailers
     */
    static void decode(int id, Http2StreamFrame frame, Consumer<HttpObject> out) throws Http2Exception {
        if (frame instanceof Http2DataFrame data) {
            out.accept(data.isEndStream() ? new DefaultLastHttpContent(data.content(), true)
                    : new DefaultHttpContent(data.content()));
            return;
        }
        Http2HeadersFrame headersFrame = (Http2HeadersFrame) frame;
        Http2Headers headers = headersFrame.headers();
        if (headers.method() == null && headersFrame.isEndStream()) {
            LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, true);
            HttpConversionUtil.addHttp2ToHttpHeaders(id, headers, last.trailingHeaders(), HttpVersion.HTTP_1_1,
                    true, true);
            stripTranslationHeaders(last.trailingHeaders());
            out.accept(last);
            return;
        }
        if (headers.method() != null && !requestLineSafe(headers)) {
            // Netty's translation throws on such a :method or :path, and the stream was never
            // answered. Refused as HTTP/1.1 refuses them: a head that failed decoding, 400 before routing.
            HttpRequest invalid = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request");
            invalid.setDecoderResult(DecoderResult.failure(
                    new IllegalArgumentException(":method or :path is not visible ASCII")));
            out.accept(invalid);
            if (headersFrame.isEndStream()) {
                out.accept(new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, true));
            }
            return;
        }
        if (headers.method() == null) {
            throw Http2Exception.streamError(id, Http2Error.PROTOCOL_ERROR,
                    "HEADERS without :method that do not end the stream");
        }
        List<CharSequence> conflicting = takeConflictingHosts(headers);
        HttpRequest request = HttpConversionUtil.toHttpRequest(id, headers, true);
        stripTranslationHeaders(request.headers());
        if (conflicting != null) {
            conflicting.forEach(host -> request.headers().add(HttpHeaderNames.HOST, host));
        }
        if (headersFrame.isEndStream()) {
            // A request without a body (most GETs): its head and an empty end, no body buffer.
            out.accept(request);
            out.accept(new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, true));
            return;
        }
        if (!HttpUtil.isContentLengthSet(request)) {
            // As Netty's own translation frames a body of unknown length for HTTP/1.1 readers.
            request.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        out.accept(request);
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
