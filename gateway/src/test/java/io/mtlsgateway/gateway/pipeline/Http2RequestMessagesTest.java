package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
}
