package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The h2 request adapter on its own: the HTTP/1.1 shape, and no {@code x-http2-*} name left in any case. */
class Http2RequestAdapterTest {
    @Test
    void splitsAFullRequestAndRemovesTranslationNamesInAnyCase() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2RequestAdapter());
        FullHttpRequest full = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/a",
                Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII));
        full.headers().set("x-http2-stream-id", "3").set("X-Http2-Scheme", "https").set("x-client", "kept")
                .set("x-http2", "kept: no dash after the prefix");
        full.trailingHeaders().set("x-http2-path", "/t").set("grpc-status", "0");
        channel.writeInbound(full);

        HttpRequest head = assertInstanceOf(HttpRequest.class, channel.readInbound());
        assertNull(head.headers().get("x-http2-stream-id"));
        assertNull(head.headers().get("x-http2-scheme"));
        assertEquals("kept", head.headers().get("x-client"));
        assertEquals("kept: no dash after the prefix", head.headers().get("x-http2"));
        LastHttpContent end = assertInstanceOf(LastHttpContent.class, channel.readInbound());
        assertEquals("body", end.content().toString(StandardCharsets.US_ASCII));
        assertFalse(end.trailingHeaders().contains("x-http2-path"));
        assertEquals("0", end.trailingHeaders().get("grpc-status"));
        ReferenceCountUtil.release(end);
        assertFalse(channel.finish());
    }

    @Test
    void aFullRequestWithoutTrailersEndsWithEmptyTrailers() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2RequestAdapter());
        FullHttpRequest full = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/",
                Unpooled.EMPTY_BUFFER);
        full.headers().set("x-http2-stream-id", "5");
        channel.writeInbound(full);

        HttpRequest head = assertInstanceOf(HttpRequest.class, channel.readInbound());
        assertTrue(head.headers().isEmpty(), head.headers().toString());
        LastHttpContent end = assertInstanceOf(LastHttpContent.class, channel.readInbound());
        assertTrue(end.trailingHeaders().isEmpty());
        ReferenceCountUtil.release(end);
        assertFalse(channel.finish());
    }

    @Test
    void stripsTheHeadAndTheTrailersOfAStreamedRequest() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2RequestAdapter());
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/up");
        head.headers().set("X-HTTP2-STREAM-ID", "7").set("content-type", "application/grpc");
        LastHttpContent end = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        end.trailingHeaders().set("x-http2-stream-weight", "16").set("x-trailer", "kept");
        channel.writeInbound(head, end);

        HttpRequest readHead = channel.readInbound();
        assertEquals(1, readHead.headers().size(), readHead.headers().toString());
        LastHttpContent readEnd = channel.readInbound();
        assertEquals(1, readEnd.trailingHeaders().size(), readEnd.trailingHeaders().toString());
        assertEquals("kept", readEnd.trailingHeaders().get("x-trailer"));
        ReferenceCountUtil.release(readEnd);
        assertFalse(channel.finish());
    }

    @Test
    void aStreamTheCodecResetClosesQuietlyWhileOtherErrorsGoOn() {
        EmbeddedChannel stream = new EmbeddedChannel(new Http2RequestAdapter());
        stream.pipeline().fireExceptionCaught(new Http2FrameStreamException(Http2ConnectionGuardTest.RESET_STREAM,
                Http2Error.PROTOCOL_ERROR, new IllegalStateException("bad")));
        assertFalse(stream.isOpen(), "the stream closes");
        stream.checkException(); // and the error went no further

        EmbeddedChannel other = new EmbeddedChannel(new Http2RequestAdapter());
        other.pipeline().fireExceptionCaught(new IllegalStateException("a bug"));
        assertThrows(IllegalStateException.class, other::checkException);
        assertTrue(other.isOpen(), "the terminal handler, not this one, decides");
        assertFalse(other.finish());
    }
}
