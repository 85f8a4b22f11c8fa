package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StrictServerCodecTest {
    /** Feeds the bytes in pieces of {@code step} and returns every decoded request head. */
    private static List<HttpRequest> decode(String raw, int step) {
        EmbeddedChannel channel = new EmbeddedChannel(HttpCodecs.server());
        byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += step) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(step, bytes.length - i)));
        }
        List<HttpRequest> heads = new ArrayList<>();
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            if (msg instanceof HttpRequest request) {
                heads.add(request);
            }
            ReferenceCountUtil.release(msg);
        }
        channel.finishAndReleaseAll();
        return heads;
    }

    @Test
    void refusesObsFoldEvenWhenItArrivesOneByteAtATime() {
        for (int step : new int[] {1, 3, 1000}) {
            List<HttpRequest> heads = decode("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n", step);
            assertEquals(1, heads.size());
            assertTrue(heads.get(0).decoderResult().isFailure(), "step " + step);
        }
    }

    @Test
    void refusesAnHttp09RequestLine() {
        List<HttpRequest> heads = decode("GET /\r\n\r\n", 1000);
        assertEquals(1, heads.size());
        assertTrue(heads.get(0).decoderResult().isFailure());
    }

    @Test
    void refusesNonAsciiBytesInTheRequestTargetInsteadOfRewritingThem() {
        for (String target : new String[] {"/caf\u00e9", "/a?q=\u00ff", "/a\u007f", "/a\u0001b"}) {
            List<HttpRequest> heads = decode("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n", 1);
            assertEquals(1, heads.size(), target);
            assertTrue(heads.get(0).decoderResult().isFailure(), target);
        }
    }

    @Test
    void spellsContentLengthAsTheNumberItIs() {
        List<HttpRequest> heads = decode("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 000005\r\n\r\nhello", 1000);
        assertEquals("5", heads.get(0).headers().get("Content-Length"));
    }

    @Test
    void doesNotMistakeBodyBytesForAFoldInTheNextHead() {
        String body = "a\r\n b";
        List<HttpRequest> heads = decode("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length() + "\r\n\r\n"
                + body + "GET /q HTTP/1.1\r\nHost: a\r\n\r\n", 1000);
        assertEquals(2, heads.size());
        assertFalse(heads.get(0).decoderResult().isFailure());
        assertFalse(heads.get(1).decoderResult().isFailure());
        assertEquals("/q", heads.get(1).uri());
    }

    @Test
    void findsAFoldInTheSecondOfTwoPipelinedHeads() {
        List<HttpRequest> heads = decode("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\nX: 1\r\n\t2\r\n\r\n",
                1000);
        assertEquals(2, heads.size());
        assertFalse(heads.get(0).decoderResult().isFailure());
        assertTrue(heads.get(1).decoderResult().isFailure());
    }
}
