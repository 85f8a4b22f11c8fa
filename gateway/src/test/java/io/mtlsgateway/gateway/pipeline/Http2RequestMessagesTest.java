package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The translation of a client stream's frames on its own: the HTTP/1.1 shape (a head, then an end), no
 * {@code x-http2-*} name left whoever put it there, and two authorities left to the request stage.
 */
class Http2RequestMessagesTest {
    private final List<HttpObject> read = new ArrayList<>();

    private Object next() {
        return read.isEmpty() ? null : read.remove(0);
    }

    private void decode(Http2StreamFrame... frames) throws Http2Exception {
        for (Http2StreamFrame frame : frames) {
            Http2RequestMessages.decode(3, frame, read::add);
        }
    }

    private static Http2Headers get(String path) {
        return new DefaultHttp2Headers().method("GET").scheme("https").authority("api.test").path(path);
    }

    @Test
    void aRequestThatEndedWithItsHeadersIsAHeadAndAnEmptyEndWithoutTranslationNames() throws Http2Exception {
                Http2Headers headers = get("/accounts?a=1").add("x-http2-stream-weight", "16").add("x-client", "kept")
                .add("x-http2", "kept: no dash after the prefix");
        decode(new DefaultHttp2HeadersFrame(headers, true));

        HttpRequest head = assertInstanceOf(HttpRequest.class, next());
        assertFalse(head instanceof FullHttpRequest, "split as the HTTP/1.1 codec reads it");
        assertEquals("/accounts?a=1", head.uri());
        assertEquals("GET", head.method().name());
        assertEquals("api.test", head.headers().get("host"));
        assertNull(head.headers().get("x-http2-stream-id"));
        assertNull(head.headers().get("x-http2-scheme"));
        assertNull(head.headers().get("x-http2-stream-weight"), "the client's copy goes too");
        assertEquals("kept", head.headers().get("x-client"));
        assertEquals("kept: no dash after the prefix", head.headers().get("x-http2"));
        assertNull(head.headers().get("transfer-encoding"), "no body, so no chunked framing");
        LastHttpContent end = assertInstanceOf(LastHttpContent.class, next());
        assertEquals(0, end.content().readableBytes());
        assertTrue(end.trailingHeaders().isEmpty());
        ReferenceCountUtil.release(end);
        assertTrue(read.isEmpty());
    }

    @Test
    void aStreamedRequestKeepsItsBodyAndLosesTranslationNamesInHeadAndTrailers() throws Http2Exception {
                Http2Headers headers = new DefaultHttp2Headers().method("POST").scheme("https").authority("api.test")
                .path("/up").add("content-type", "application/grpc").add("x-http2-path", "/elsewhere");
        decode(new DefaultHttp2HeadersFrame(headers, false),
                new DefaultHttp2DataFrame(Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII), false),
                new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("x-http2-stream-id", "9")
                        .add("x-trailer", "kept"), true));

        HttpRequest head = assertInstanceOf(HttpRequest.class, next());
        assertEquals(List.of("application/grpc"), head.headers().getAll("content-type"));
        assertEquals("chunked", head.headers().get("transfer-encoding"), "no content-length: chunked, as Netty does");
        assertFalse(head.headers().names().stream().anyMatch(name -> name.startsWith("x-http2")),
                head.headers().toString());
        HttpContent content = assertInstanceOf(HttpContent.class, next());
        assertEquals("body", content.content().toString(StandardCharsets.US_ASCII));
        content.release();
        LastHttpContent end = assertInstanceOf(LastHttpContent.class, next());
        assertEquals(1, end.trailingHeaders().size(), end.trailingHeaders().toString());
        assertEquals("kept", end.trailingHeaders().get("x-trailer"));
        ReferenceCountUtil.release(end);
        assertTrue(read.isEmpty());
    }

    @Test
    void aHostFieldNamingAnotherAuthorityReachesTheRequestStageAsTwoHosts() throws Http2Exception {
                decode(new DefaultHttp2HeadersFrame(get("/").add("host", "other.test"), true));

        HttpRequest head = assertInstanceOf(HttpRequest.class, next());
        assertEquals(List.of("api.test", "other.test"), head.headers().getAll("host"));
        ReferenceCountUtil.release(next());
        assertTrue(read.isEmpty());
    }

    @Test
    void headersInTheMiddleOfAStreamThatDoNotEndItAreNoRequest() {
        assertThrows(Http2Exception.class,
                () -> decode(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("x-late", "1"), false)));
        assertTrue(read.isEmpty());
    }

    @Test
    void aMethodThatIsNoTokenIsAHeadThatFailedDecoding() throws Http2Exception {
        decode(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("G T").scheme("https")
                .authority("api.test").path("/"), true));

        HttpRequest head = assertInstanceOf(HttpRequest.class, next());
        assertTrue(head.decoderResult().isFailure());
        assertInstanceOf(LastHttpContent.class, next());
    }

    /**
     * The one-pass head is Netty's translation ({@link HttpConversionUtil#toHttpRequest}) without the
     * {@code x-http2-*} names, field for field and in order, for heads of every shape the rules treat
     * apart; where Netty refuses a head, so does the one-pass translation.
     */
    @Test
    void theHeadIsNettysTranslationWithoutItsNames() throws Http2Exception {
        List<UnaryOperator<Http2Headers>> shapes = List.of(
                h -> h,
                h -> h.add("accept", "*/*").add("user-agent", "t/1").add("content-length", "3"),
                h -> h.add("host", "api.test"),
                h -> h.add("host", "API.test").add("host", "api.TEST"),
                h -> h.add("host", "other.test"),
                h -> h.add("cookie", "a=1").add("x-b", "2").add("cookie", "c=3").add("cookie", ""),
                h -> h.add("cookie", "only=1"),
                h -> h.add("cookie", "").add("cookie", "a=1").add("cookie", "b=2"),
                h -> h.add("te", "trailers").add("trailer", "grpc-status").add("transfer-encoding", "chunked"),
                h -> h.add("connection", "close").add("keep-alive", "1"),
                h -> h.add("x-http2-stream-id", "9").add("x-http2-scheme", "http").add("x-http2-path", "/x")
                        .add("x-http2-stream-weight", "1").add("x-http2-other", "1").add("x-http2", "kept"),
                h -> h.add("x-forwarded-for", "1.2.3.4").add("x-forwarded-for", "5.6.7.8").add("empty", ""),
                h -> h.add(":unknown", "1"),
                h -> h.add("x-client-cert", "forged").add("x-mtls-subject", "CN=forged"));
        List<Http2Headers> heads = new ArrayList<>();
        for (UnaryOperator<Http2Headers> shape : shapes) {
            heads.add(shape.apply(new DefaultHttp2Headers(false).method("GET").scheme("https").authority("api.test")
                    .path("/a?b=1")));
            heads.add(shape.apply(new DefaultHttp2Headers(false).method("POST").scheme("http").path("/up")));
            heads.add(shape.apply(new DefaultHttp2Headers(false).method("CONNECT").authority("api.test:443")));
            heads.add(shape.apply(new DefaultHttp2Headers(false).method("OPTIONS").scheme("https")
                    .authority("api.test").path("*")));
        }
        int compared = 0;
        for (Http2Headers head : heads) {
            HttpRequest expected;
            try {
                expected = nettysHeadWithoutItsNames(copy(head));
            } catch (Http2Exception | RuntimeException refused) {
                assertThrows(Http2Exception.class, () -> Http2RequestMessages.headOf(3, copy(head)), head.toString());
                continue;
            }
            HttpRequest actual = Http2RequestMessages.headOf(3, copy(head));
            assertEquals(expected.method(), actual.method(), head.toString());
            assertEquals(expected.uri(), actual.uri(), head.toString());
            assertEquals(expected.protocolVersion(), actual.protocolVersion(), head.toString());
            assertEquals(fields(expected.headers()), fields(actual.headers()), head.toString());
            compared++;
        }
        assertTrue(compared >= 40, "heads compared: " + compared);
    }

    @Test
    void trailersAreNettysTranslationWithoutItsNames() throws Http2Exception {
        Http2Headers trailers = new DefaultHttp2Headers(false).add("grpc-status", "0").add("x-http2-stream-id", "3")
                .add("cookie", "a=1").add("cookie", "b=2").add("x-t", "1");
        HttpHeaders expected = nettysTrailersWithoutItsNames(trailers);
        HttpHeaders actual = new DefaultLastHttpContent().trailingHeaders();
        Http2RequestMessages.copyFields(3, copy(trailers), actual);
        assertEquals(fields(expected), fields(actual));
        assertEquals(List.of("grpc-status", "x-t", "cookie"), fields(actual).stream().map(Map.Entry::getKey).toList());

        Http2Headers prohibited = new DefaultHttp2Headers(false).add("grpc-status", "0").add("trailer", "x");
        assertThrows(Http2Exception.class, () -> nettysTrailersWithoutItsNames(prohibited));
        assertThrows(Http2Exception.class, () -> Http2RequestMessages.copyFields(3, copy(prohibited),
                new DefaultLastHttpContent().trailingHeaders()), "a field trailers may not hold: a stream error");
    }

    private static HttpHeaders nettysTrailersWithoutItsNames(Http2Headers trailers) throws Http2Exception {
        HttpHeaders expected = new DefaultLastHttpContent().trailingHeaders();
        HttpConversionUtil.addHttp2ToHttpHeaders(3, copy(trailers), expected, HttpVersion.HTTP_1_1, true, true);
        Http2RequestMessages.stripTranslationHeaders(expected);
        return expected;
    }

    /** What the translation did before it was one pass: Netty's, then its names stripped. */
    private static HttpRequest nettysHeadWithoutItsNames(Http2Headers head) throws Http2Exception {
        List<CharSequence> conflicting = Http2RequestMessages.takeConflictingHosts(head);
        HttpRequest request = HttpConversionUtil.toHttpRequest(3, head, true);
        Http2RequestMessages.stripTranslationHeaders(request.headers());
        if (conflicting != null) {
            conflicting.forEach(host -> request.headers().add(HttpHeaderNames.HOST, host));
        }
        return request;
    }

    /** As the codec's HPACK decoder hands them on: names and values are AsciiStrings (Netty's rules compare by type). */
    private static Http2Headers copy(Http2Headers head) {
        Http2Headers decoded = new DefaultHttp2Headers(false);
        head.forEach(field -> decoded.add(AsciiString.of(field.getKey()), AsciiString.of(field.getValue())));
        return decoded;
    }

    private static List<Map.Entry<String, String>> fields(HttpHeaders headers) {
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        headers.iteratorCharSequence().forEachRemaining(
                field -> fields.add(Map.entry(field.getKey().toString(), field.getValue().toString())));
        return fields;
    }
}
