package io.mtlsgateway.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.gateway.pipeline.HttpCodecs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpTimeoutsTest {
    private static final HttpSettings SETTINGS =
            new HttpSettings(100, Duration.ofSeconds(10), Duration.ofSeconds(60), false);

    private EmbeddedChannel channel;
    /** Answers a request only when told to, like a slow upstream. */
    private ChannelHandlerContext app;

    private EmbeddedChannel channel() {
        return channel(SETTINGS);
    }

    private EmbeddedChannel channel(HttpSettings settings) {
        HttpTimeouts timeouts = new HttpTimeouts(settings);
        channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(timeouts.rawSide(), HttpCodecs.server(), timeouts.messageSide(),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void handlerAdded(ChannelHandlerContext ctx) {
                        app = ctx;
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                    }
                });
        return channel;
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    private void respond() {
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        app.writeAndFlush(response);
        ReferenceCountUtil.release(channel.readOutbound());
    }

    @Test
    void closesASilentConnectionAfterTheIdleTimeout() {
        EmbeddedChannel ch = channel();
        ch.advanceTimeBy(59, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen());
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertFalse(ch.isOpen());
        assertNull(ch.readOutbound(), "an idle connection is closed without a response");
    }

    @Test
    void answers408WhenARequestHeadDoesNotCompleteInTime() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(bytes("GET / HTTP/1.1\r\nHost: a\r\n"));
        ch.advanceTimeBy(9, TimeUnit.SECONDS);
        ch.writeInbound(bytes("X-Slow: 1\r\n")); // trickling bytes do not extend the limit
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        ByteBuf written = ch.readOutbound();
        assertTrue(written.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 408 "));
        written.release();
        ch.runPendingTasks();
        assertFalse(ch.isOpen());
    }

    @Test
    void setsNoLimitWhileARequestIsServedThenWaitsIdleAgain() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
        ch.advanceTimeBy(10, TimeUnit.MINUTES);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen(), "the upstream's own timeouts govern a request in progress");
        respond();
        ch.advanceTimeBy(59, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen());
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertFalse(ch.isOpen());
    }

    @Test
    void anInterimResponseDoesNotEndTheRequest() {
        EmbeddedChannel ch = channel(new HttpSettings(100, Duration.ofSeconds(10), Duration.ofSeconds(60), false,
                Duration.ofMinutes(10), 0));
        ch.writeInbound(bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\n"));
        app.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        ReferenceCountUtil.release(ch.readOutbound());
        ch.advanceTimeBy(5, TimeUnit.MINUTES);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen());
    }

    private static final String UPLOAD_HEAD = "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n";

    private void assertAnswered408AndClosed(EmbeddedChannel ch) {
        ch.runPendingTasks();
        ByteBuf written = ch.readOutbound();
        assertTrue(written != null && written.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 408 "));
        written.release();
        ch.runPendingTasks();
        assertFalse(ch.isOpen());
    }

    private static void advance(EmbeddedChannel ch, long seconds) {
        ch.advanceTimeBy(seconds, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
    }

    @Test
    void answers408WhenARequestBodyStopsArriving() {
        EmbeddedChannel ch = channel(new HttpSettings(100, Duration.ofSeconds(10), Duration.ofSeconds(60), false,
                Duration.ofSeconds(60), 0));
        ch.writeInbound(bytes(UPLOAD_HEAD + "abc"));
        advance(ch, 59);
        assertTrue(ch.isOpen());
        ch.writeInbound(bytes("d")); // any byte restarts the wait
        advance(ch, 59);
        assertTrue(ch.isOpen());
        advance(ch, 1);
        assertAnswered408AndClosed(ch);
    }

    @Test
    void cutsOffABodyTrickledBelowTheMinimumRate() {
        // One byte every 5 s never trips the 60 s idle limit; the rate catches it once 60 s are used.
        EmbeddedChannel ch = channel();
        ch.writeInbound(bytes(UPLOAD_HEAD));
        for (int second = 0; second < 55; second += 5) {
            advance(ch, 5);
            ch.writeInbound(bytes("x"));
            assertTrue(ch.isOpen(), "at " + second + " s");
        }
        advance(ch, 6);
        assertAnswered408AndClosed(ch);
    }

    @Test
    void letsAnUploadAtTheMinimumRateRunForAsLongAsItNeeds() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(bytes(UPLOAD_HEAD));
        for (int second = 0; second < 150; second++) {
            advance(ch, 1);
            ch.writeInbound(bytes("y".repeat(600)));
        }
        assertTrue(ch.isOpen());
        assertNull(ch.readOutbound());
    }

    @Test
    void stopsTheBodyClockWhileTheGatewayHoldsTheClientBack() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(bytes(UPLOAD_HEAD + "abc"));
        ch.config().setAutoRead(false); // as the proxy does while the upstream cannot take more
        advance(ch, 600);
        assertTrue(ch.isOpen(), "backpressure is not the client being slow");
        ch.config().setAutoRead(true);
        advance(ch, 59);
        assertTrue(ch.isOpen());
        advance(ch, 1);
        assertAnswered408AndClosed(ch);
    }

    @Test
    void closesWithoutA408WhenTheResponseHasAlreadyStarted() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(bytes(UPLOAD_HEAD));
        io.netty.handler.codec.http.DefaultHttpResponse head =
                new io.netty.handler.codec.http.DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        app.writeAndFlush(head);
        ReferenceCountUtil.release(ch.readOutbound());
        advance(ch, 60);
        ch.runPendingTasks();
        assertFalse(ch.isOpen());
        assertNull(ch.readOutbound(), "no second status line");
    }

    @Test
    void appliesNoBodyLimitToARequestWithoutABody() {
        EmbeddedChannel ch = channel(new HttpSettings(100, Duration.ofSeconds(10), Duration.ofSeconds(60), false,
                Duration.ofSeconds(1), 1_000_000));
        ch.writeInbound(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
        advance(ch, 600);
        assertTrue(ch.isOpen());
    }
}
