package io.mtlsgateway.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2SettingsFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The handler of a pooled h2 upstream connection, and the connection as the pool then sees it:
 * ready on the first SETTINGS with its stream limit, room counted by reserved streams, no new
 * streams after a GOAWAY, idleness or a failure, and a close once the last stream of a connection
 * going away ends.
 */
class Http2ConnectionHandlerTest {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(5);

    /** The stream a stream error names (the multiplexer routes by it; this handler only passes it on). */
    private static final Http2FrameStream STREAM_3 = new Http2FrameStream() {
        @Override
        public int id() {
            return 3;
        }

        @Override
        public Http2Stream.State state() {
            return Http2Stream.State.OPEN;
        }
    };

    private final Http2ConnectionHandler handler = new Http2ConnectionHandler(READY_TIMEOUT);
    private Http2Connection connection;
    private final List<Throwable> passedOn = new ArrayList<>();
    private int notified;
    private EmbeddedChannel channel;

    /** The connection as its pool opens it: the handler added, then the channel becomes active. */
    private EmbeddedChannel open() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(handler, new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                passedOn.add(cause);
            }
        });
        connection = handler.connection();
        connection.listen(c -> notified++);
        channel.pipeline().fireChannelActive();
        return channel;
    }

    private static DefaultHttp2SettingsFrame settings(Long maxConcurrentStreams) {
        Http2Settings settings = new Http2Settings();
        if (maxConcurrentStreams != null) {
            settings.maxConcurrentStreams(maxConcurrentStreams);
        }
        return new DefaultHttp2SettingsFrame(settings);
    }

    @AfterEach
    void close() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void isReadyOnTheFirstSettingsWithItsStreamLimitAndKeepsTheFrameToItself() {
        EmbeddedChannel ch = open();
        assertTrue(connection.connecting());
        assertFalse(connection.hasRoom(), "no stream before the upstream's SETTINGS");
        ch.writeInbound(settings(2L));
        assertTrue(connection.ready().isSuccess());
        assertEquals(2, connection.maxStreams());
        assertEquals(1, notified);
        assertNull(ch.readInbound(), "SETTINGS are the connection's, not a stream's");

        connection.reserve();
        connection.reserve();
        assertFalse(connection.hasRoom(), "two streams of two");
        connection.streamEnded();
        assertTrue(connection.hasRoom());
        assertEquals(1, connection.active());
        assertEquals(2, notified);
    }

    @Test
    void assumesAHundredStreamsWhenTheUpstreamNamesNoLimit() {
        open().writeInbound(settings(null));
        assertEquals(Http2Connection.DEFAULT_MAX_STREAMS, connection.maxStreams());
    }

    @Test
    void failsAndClosesWhenNoSettingsArriveWithinTheConnectTimeout() {
        EmbeddedChannel ch = open();
        ch.advanceTimeBy(READY_TIMEOUT.toMillis() - 1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen());
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertInstanceOf(ConnectTimeoutException.class, connection.ready().cause());
        assertFalse(ch.isOpen());
    }

    @Test
    void aGoAwayStopsNewStreamsIsPassedOnAndTheConnectionClosesWithItsLastStream() {
        EmbeddedChannel ch = open();
        ch.writeInbound(settings(10L));
        connection.reserve();
        Http2GoAwayFrame goAway = new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR);
        ch.writeInbound(goAway);
        assertSame(goAway, ch.readInbound(), "the multiplexer hears of it too");
        goAway.release();
        assertFalse(connection.acceptsStreams());
        assertTrue(ch.isOpen(), "the open stream finishes first");
        connection.streamEnded();
        assertFalse(ch.isOpen());
    }

    @Test
    void closesWhenIdleWithoutStreamsButNotWhileOneIsOpen() {
        EmbeddedChannel ch = open();
        ch.writeInbound(settings(10L));
        connection.reserve();
        ch.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertTrue(ch.isOpen(), "a stream is open");
        assertTrue(connection.acceptsStreams());
        connection.streamEnded();
        ch.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertFalse(ch.isOpen());
        assertFalse(connection.acceptsStreams());
    }

    @Test
    void aRetiredConnectionTakesNoStreamAndClosesWhenItsStreamsAreDone() {
        EmbeddedChannel ch = open();
        ch.writeInbound(settings(10L));
        connection.reserve();
        connection.retire();
        assertFalse(connection.hasRoom());
        assertTrue(ch.isOpen());
        connection.streamEnded();
        assertFalse(ch.isOpen());
    }

    @Test
    void aFailedHandshakeFailsReadyWithItsCause() {
        EmbeddedChannel ch = open();
        SSLHandshakeException cause = new SSLHandshakeException("no trusted certificate");
        ch.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(cause));
        assertSame(cause, connection.ready().cause());
        assertFalse(ch.isOpen());
    }

    @Test
    void aConnectionErrorFailsItAndAStreamErrorIsPassedOnToTheStreams() {
        EmbeddedChannel ch = open();
        ch.writeInbound(settings(10L));
        Http2FrameStreamException streamError = new Http2FrameStreamException(STREAM_3, Http2Error.CANCEL,
                new IOException("reset"));
        ch.pipeline().fireExceptionCaught(streamError);
        assertEquals(List.of(streamError), passedOn);
        assertTrue(ch.isOpen() && connection.acceptsStreams(), "one stream's error leaves the connection serving");
        ch.pipeline().fireExceptionCaught(new IOException("connection reset"));
        assertFalse(ch.isOpen());
        assertFalse(connection.acceptsStreams());
        assertEquals(1, passedOn.size(), "a connection error ends here");
    }

    @Test
    void closedBeforeItsSettingsFailsReadyAsAnUpstreamClose() {
        EmbeddedChannel ch = open();
        ch.close();
        assertInstanceOf(UpstreamStreamException.class, connection.ready().cause());
        assertFalse(connection.acceptsStreams());
    }
}
