package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The h2 stream codec on its own, fed frames: the HTTP/1.1 shape (a head, then an end), no
 * {@code x-http2-*} name left whoever put it there, and two authorities left to the request stage.
 */
class Http2StreamCodecTest {
    private static Http2Headers get(String path) {
        return new DefaultHttp2Headers().method("GET").scheme("https").authority("api.test").path(path);
    }

    @Test
    void aRequestThatEndedWithItsHeadersIsAHeadAndAnEmptyEndWithoutTranslationNames() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2StreamCodec());
        Http2Headers headers = get("/accounts?a=1").add("x-http2-stream-weight", "16").add("x-client", "kept")
                .add("x-http2", "kept: no dash after the prefix");
        channel.writeInbound(new DefaultHttp2HeadersFrame(headers, true));

        HttpRequest head = assertInstanceOf(HttpRequest.class, channel.readInbound());
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
        LastHttpContent end = assertInstanceOf(LastHttpContent.class, channel.readInbound());
        assertEquals(0, end.content().readableBytes());
        assertTrue(end.trailingHeaders().isEmpty());
        ReferenceCountUtil.release(end);
        assertFalse(channel.finish());
    }

    @Test
    void aStreamedRequestKeepsItsBodyAndLosesTranslationNamesInHeadAndTrailers() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2StreamCodec());
        Http2Headers headers = new DefaultHttp2Headers().method("POST").scheme("https").authority("api.test")
                .path("/up").add("content-type", "application/grpc").add("x-http2-path", "/elsewhere");
        channel.writeInbound(new DefaultHttp2HeadersFrame(headers, false),
                new DefaultHttp2DataFrame(Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII), false),
                new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("x-http2-stream-id", "9")
                        .add("x-trailer", "kept"), true));

        HttpRequest head = assertInstanceOf(HttpRequest.class, channel.readInbound());
        assertEquals(List.of("application/grpc"), head.headers().getAll("content-type"));
        assertEquals("chunked", head.headers().get("transfer-encoding"), "no content-length: chunked, as Netty does");
        assertFalse(head.headers().names().stream().anyMatch(name -> name.startsWith("x-http2")),
                head.headers().toString());
        HttpContent content = assertInstanceOf(HttpContent.class, channel.readInbound());
        assertEquals("body", content.content().toString(StandardCharsets.US_ASCII));
        content.release();
        LastHttpContent end = assertInstanceOf(LastHttpContent.class, channel.readInbound());
        assertEquals(1, end.trailingHeaders().size(), end.trailingHeaders().toString());
        assertEquals("kept", end.trailingHeaders().get("x-trailer"));
        ReferenceCountUtil.release(end);
        assertFalse(channel.finish());
    }

    @Test
    void aHostFieldNamingAnotherAuthorityReachesTheRequestStageAsTwoHosts() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2StreamCodec());
        channel.writeInbound(new DefaultHttp2HeadersFrame(get("/").add("host", "other.test"), true));

        HttpRequest head = assertInstanceOf(HttpRequest.class, channel.readInbound());
        assertEquals(List.of("api.test", "other.test"), head.headers().getAll("host"));
        ReferenceCountUtil.release(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void aStreamTheCodecResetClosesQuietlyWhileOtherErrorsGoOn() {
        EmbeddedChannel stream = new EmbeddedChannel(new Http2StreamCodec());
        stream.pipeline().fireExceptionCaught(new Http2FrameStreamException(Http2ConnectionGuardTest.RESET_STREAM,
                Http2Error.PROTOCOL_ERROR, new IllegalStateException("bad")));
        assertFalse(stream.isOpen(), "the stream closes");
        stream.checkException(); // and the error went no further

        EmbeddedChannel other = new EmbeddedChannel(new Http2StreamCodec());
        other.pipeline().fireExceptionCaught(new IllegalStateException("a bug"));
        assertThrows(IllegalStateException.class, other::checkException);
        assertTrue(other.isOpen(), "the terminal handler, not this one, decides");
        assertFalse(other.finish());
    }
}
