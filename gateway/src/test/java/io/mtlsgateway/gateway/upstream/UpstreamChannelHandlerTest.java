package io.mtlsgateway.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pooled connection's last handler: hands responses to the exchange, retires a connection in an unknown state. */
class UpstreamChannelHandlerTest {
    private final UpstreamChannelHandler handler = new UpstreamChannelHandler();
    private final EmbeddedChannel channel = new EmbeddedChannel(handler);
    private final List<String> heard = new ArrayList<>();

    private final UpstreamListener listener = new UpstreamListener() {
        @Override
        public void onResponse(HttpObject message) {
            heard.add("response");
            ReferenceCountUtil.release(message);
        }

        @Override
        public void onUpstreamReadComplete() {
            heard.add("read-complete");
        }

        @Override
        public void onUpstreamWritabilityChanged(boolean writable) {
            heard.add("writable=" + writable);
        }

        @Override
        public void onUpstreamIdle() {
            heard.add("idle");
        }

        @Override
        public void onUpstreamClosed(Throwable cause) {
            heard.add("closed");
        }
    };

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private static FullHttpResponse ok() {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    }

    @Test
    void handsResponsesToTheAttachedExchange() {
        handler.attach(listener);
        channel.writeInbound(ok());
        assertEquals(List.of("response", "read-complete"), heard);
        assertTrue(channel.isOpen());
    }

    @Test
    void anIdleConnectionThatReceivesAnythingIsClosedAndTheBytesReleased() {
        FullHttpResponse stray = ok();
        channel.writeInbound(stray);
        assertEquals(0, stray.refCnt());
        assertFalse(channel.isOpen());
    }

    @Test
    void anIdleTimeoutInUseTellsTheExchangeAndCloses() {
        handler.attach(listener);
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertEquals(List.of("idle"), heard);
        assertFalse(channel.isOpen());
        assertFalse(handler.inUse());
    }

    @Test
    void aCloseInUseIsReportedOnce() {
        handler.attach(listener);
        channel.close();
        assertEquals(List.of("closed"), heard);
    }

    @Test
    void aWriteThatFailsOnTheVoidPromiseTellsTheExchangeAndCloses() {
        UpstreamChannelHandler last = new UpstreamChannelHandler();
        EmbeddedChannel failing = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ReferenceCountUtil.release(msg);
                promise.setFailure(new IOException("Broken pipe"));
            }
        }, last);
        last.attach(listener);
        failing.writeAndFlush(ok(), failing.voidPromise());
        assertEquals(List.of("closed"), heard);
        assertFalse(failing.isOpen());
        assertFalse(last.inUse());
        failing.finishAndReleaseAll();
    }
}
