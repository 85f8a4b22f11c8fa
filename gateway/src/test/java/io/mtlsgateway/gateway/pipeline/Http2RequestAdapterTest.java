package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** h2 stream messages reach the request stage shaped as HTTP/1.1's, with Netty's x-http2-* names gone. */
class Http2RequestAdapterTest {
    private final EmbeddedChannel stream = new EmbeddedChannel(new Http2RequestAdapter());

    @AfterEach
    void close() {
        stream.finishAndReleaseAll();
    }

    @Test
    void aRequestThatEndedWithItsHeadersBecomesAHeadAndAnEndWithItsBodyAndTrailers() {
        FullHttpRequest full = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api",
                Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII));
        full.headers().set("content-type", "text/plain").set("x-http2-stream-id", "3");
        full.trailingHeaders().set("grpc-status", "0").set("X-Http2-Scheme", "https");

        stream.writeInbound(full);

        HttpRequest head = assertInstanceOf(HttpRequest.class, stream.readInbound());
        assertFalse(head instanceof FullHttpRequest, "the head is split from its body");
        assertEquals("/api", head.uri());
        assertEquals("text/plain", head.headers().get("content-type"));
        assertNull(head.headers().get("x-http2-stream-id"));
        LastHttpContent end = assertInstanceOf(LastHttpContent.class, stream.readInbound());
        try {
            assertEquals("body", end.content().toString(StandardCharsets.US_ASCII));
            assertEquals("0", end.trailingHeaders().get("grpc-status"));
            assertNull(end.trailingHeaders().get("x-http2-scheme"));
        } finally {
            end.release();
        }
        assertNull(stream.readInbound());
    }

    @Test
    void aStreamedRequestPassesThroughWithTheTranslationNamesRemovedFromHeadAndTrailers() {
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/upload");
        head.headers().set("x-http2-path", "/forged").set("x-request-id", "r1");
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, true);
        last.trailingHeaders().set("x-http2-stream-promise-id", "5").set("checksum", "abc");

        stream.writeInbound(head, last);

        HttpRequest read = stream.readInbound();
        assertSame(head, read);
        assertNull(read.headers().get("x-http2-path"));
        assertEquals("r1", read.headers().get("x-request-id"));
        LastHttpContent end = stream.readInbound();
        assertSame(last, end);
        assertNull(end.trailingHeaders().get("x-http2-stream-promise-id"));
        assertEquals("abc", end.trailingHeaders().get("checksum"));
        end.release();
    }

    @Test
    void aStreamTheCodecResetClosesQuietlyWhileOtherErrorsGoOn() {
        stream.pipeline().fireExceptionCaught(
                new Http2FrameStreamException(Http2ConnectionGuardTest.RESET_STREAM, Http2Error.PROTOCOL_ERROR, new IllegalStateException("bad")));
        assertFalse(stream.isOpen(), "the stream closes");
        stream.checkException(); // and the error went no further

        EmbeddedChannel other = new EmbeddedChannel(new Http2RequestAdapter());
        other.pipeline().fireExceptionCaught(new IllegalStateException("a bug"));
        assertThrows(IllegalStateException.class, other::checkException);
        assertTrue(other.isOpen(), "the terminal handler, not this one, decides");
        other.finishAndReleaseAll();
    }
}
