package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.upstream.UpstreamStreamException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stream adapter alone: what it writes towards the h2 codec and what it reports back. */
class Http2UpstreamStreamAdapterTest {
    private static HttpRequest get() {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x");
        request.headers().set("host", "app").set("x-http2-scheme", "javascript").set("X-Http2-Path", "/evil");
        return request;
    }

    @Test
    void aRequestWithoutABodyGoesAsOneMessageWithTeTrailersAndNoTranslationNames() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2UpstreamStreamAdapter());
        channel.write(get());
        channel.write(LastHttpContent.EMPTY_LAST_CONTENT);
        channel.flush();
        FullHttpRequest whole = assertInstanceOf(FullHttpRequest.class, channel.readOutbound());
        assertEquals("trailers", whole.headers().get("te"));
        assertNull(whole.headers().get("x-http2-scheme"));
        assertNull(whole.headers().get("x-http2-path"));
        assertFalse(whole.content().isReadable());
        whole.release();
        assertNull(channel.readOutbound());
        assertFalse(channel.finish());
    }

    @Test
    void aRequestWithABodyGoesAsHeadThenBody() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2UpstreamStreamAdapter());
        channel.write(get());
        channel.write(new DefaultHttpContent(Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII)));
        channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        Object head = channel.readOutbound();
        assertTrue(head instanceof HttpRequest && !(head instanceof FullHttpRequest), String.valueOf(head));
        HttpContent body = channel.readOutbound();
        assertEquals("abc", body.content().toString(StandardCharsets.US_ASCII));
        body.release();
        assertEquals(LastHttpContent.EMPTY_LAST_CONTENT, channel.readOutbound());
        assertFalse(channel.finish());
    }

    @Test
    void aFlushSendsAHeldHead() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2UpstreamStreamAdapter());
        channel.writeAndFlush(get());
        assertInstanceOf(HttpRequest.class, channel.readOutbound());
        assertFalse(channel.finish());
    }

    @Test
    void dropsNettysStreamIdFromTheResponse() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2UpstreamStreamAdapter());
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set("x-http2-stream-id", "3").set("content-type", "text/plain");
        channel.writeInbound(response);
        HttpResponse relayed = channel.readInbound();
        assertNull(relayed.headers().get("x-http2-stream-id"));
        assertEquals("text/plain", relayed.headers().get("content-type"));
        assertFalse(channel.finish());
    }

    @Test
    void aResetIsReportedWhenTheStreamClosesTellingWhetherItWasProcessed() {
        assertReset(Http2Error.REFUSED_STREAM, true);
        assertReset(Http2Error.INTERNAL_ERROR, false);
    }

    private static void assertReset(Http2Error code, boolean unprocessed) {
        List<Object> seen = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new Http2UpstreamStreamAdapter(), new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                seen.add(cause);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                seen.add("inactive");
            }
        });
        channel.pipeline().fireUserEventTriggered(new DefaultHttp2ResetFrame(code));
        assertTrue(seen.isEmpty(), "nothing until Netty closes the stream: " + seen);
        channel.close();
        assertEquals(2, seen.size(), seen.toString());
        UpstreamStreamException reset = assertInstanceOf(UpstreamStreamException.class, seen.get(0));
        assertEquals(unprocessed, reset.unprocessed());
        assertTrue(reset.getMessage().contains(code.name()), reset.getMessage());
        assertEquals("inactive", seen.get(1));
        ReferenceCountUtil.release(channel.readOutbound());
    }
}
