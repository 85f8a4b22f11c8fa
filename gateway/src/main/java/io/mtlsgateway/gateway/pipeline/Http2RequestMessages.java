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
 * and an empty end), body parts, an end with the trailers. Head and trailers follow the rules of
 * Netty's own translation ({@link HttpConversionUtil}, which {@code Http2RequestMessagesTest}
 * checks them against) in one pass, without the {@code x-http2-*} names it uses to carry h2
 * details, whether Netty or the client would have put them there (an upstream must never see them).
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
            copyFields(id, headers, last.trailingHeaders());
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
        HttpRequest request = headOf(id, headers);
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
     * The request head of {@code headers}: what Netty's {@link HttpConversionUtil#toHttpRequest}
     * makes of them, then without the {@code x-http2-*} names, in one pass (it adds two names that
     * would be stripped again, and its field rules are {@link #copyFields}'s). A head with a
     * {@code host} field naming another authority keeps all of them (see the class comment).
     */
    static HttpRequest headOf(int id, Http2Headers headers) throws Http2Exception {
        CharSequence method = headers.method();
        CharSequence target = AsciiString.contentEquals(method, "CONNECT") ? headers.authority() : headers.path();
        if (target == null) {
            // The codec refuses such a head before; as Netty's translation, never a request without a target.
            throw Http2Exception.streamError(id, Http2Error.PROTOCOL_ERROR, "a request head without its target");
        }
        List<CharSequence> conflicting = takeConflictingHosts(headers);
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method.toString()),
                target.toString());
        HttpHeaders fields = request.headers();
        copyFields(id, headers, fields);
        // As Netty's translation marks an HTTP/1.1 request kept alive: no Connection field (h2
        // refuses one before this; the rule is kept so the head is the same whatever came through).
        fields.remove(HttpHeaderNames.CONNECTION);
        if (conflicting != null) {
            conflicting.forEach(host -> fields.add(HttpHeaderNames.HOST, host));
        }
        return request;
    }

    /**
     * The fields of a request head or trailers, by Netty's rules for an HTTP/1.1 reader
     * ({@link HttpConversionUtil#addHttp2ToHttpHeaders}): {@code :authority} is Host, other
     * pseudo-headers are dropped (an unknown one is a stream error), a {@code host} field naming the
     * Host already there is dropped and one naming another is a stream error, {@code cookie} fields
     * are joined into one (RFC 9113 section 8.2.3) after the others, Transfer-Encoding and Trailer
     * go. Unlike Netty's, no {@code x-http2-*} name is kept, whoever sent it.
     */
    static void copyFields(int id, Http2Headers from, HttpHeaders to) throws Http2Exception {
        try {
            copyFieldsOrThrow(id, from, to);
        } catch (IllegalArgumentException e) {
            // A value an HTTP/1.1 field may not hold, or a field trailers may not hold: as Netty's.
            throw Http2Exception.streamError(id, Http2Error.PROTOCOL_ERROR, e,
                    "HTTP/2 to HTTP/1.x headers conversion error");
        }
    }

    private static void copyFieldsOrThrow(int id, Http2Headers from, HttpHeaders to) throws Http2Exception {
        StringBuilder cookies = null;
        boolean hostSeen = false;
        for (Map.Entry<CharSequence, CharSequence> field : from) {
            CharSequence name = field.getKey();
            CharSequence value = field.getValue();
            if (name.length() == 0 || name.charAt(0) == ':') {
                if (AsciiString.contentEquals(name, Http2Headers.PseudoHeaderName.AUTHORITY.value())) {
                    to.add(HttpHeaderNames.HOST, value);
                    hostSeen = true;
                } else if (!Http2Headers.PseudoHeaderName.isPseudoHeader(name)) {
                    throw Http2Exception.streamError(id, Http2Error.PROTOCOL_ERROR,
                            "Invalid HTTP/2 header '%s' encountered in translation to HTTP/1.x", name);
                }
            } else if (AsciiString.regionMatches(name, true, 0, TRANSLATION_PREFIX, 0, TRANSLATION_PREFIX.length())) {
                continue;
            } else if (AsciiString.contentEquals(name, HttpHeaderNames.COOKIE)) {
                if (cookies == null) {
                    cookies = new StringBuilder(value.length());
                } else if (cookies.length() > 0) {
                    cookies.append("; "); // as Netty's: no separator after nothing (an empty first field)
                }
                cookies.append(value);
            } else if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.HOST)) {
                if (!hostSeen) {
                    to.add(name, value);
                    hostSeen = true;
                } else if (!AsciiString.contentEqualsIgnoreCase(to.get(HttpHeaderNames.HOST), value)) {
                    throw Http2Exception.streamError(id, Http2Error.PROTOCOL_ERROR,
                            "Conflicting ':authority' and 'host' headers found");
                }
            } else {
                to.add(name, value);
            }
        }
        if (cookies != null) {
            to.add(HttpHeaderNames.COOKIE, cookies.toString());
        }
        to.remove(HttpHeaderNames.TRANSFER_ENCODING);
        to.remove(HttpHeaderNames.TRAILER);
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
