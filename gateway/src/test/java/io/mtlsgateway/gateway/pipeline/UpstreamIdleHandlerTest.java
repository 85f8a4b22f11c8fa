package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A pooled upstream connection's idleness: nothing read or written for the idle time, on the channel's clock. */
class UpstreamIdleHandlerTest {
    private final List<Object> events = new ArrayList<>();
    private final List<Boolean> voidWrites = new ArrayList<>();
    /** Nearer the head than the idle handler: sees each write's promise as the idle handler passed it on. */
    private final ChannelDuplexHandler outbound = new ChannelDuplexHandler() {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            voidWrites.add(promise.isVoid());
            ctx.write(msg, promise);
        }
    };
    private final ChannelDuplexHandler recorder = new ChannelDuplexHandler() {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(evt);
        }
    };
    private final EmbeddedChannel channel = new EmbeddedChannel();

    UpstreamIdleHandlerTest() {
        channel.freezeTime();
        channel.pipeline().addLast(outbound, new UpstreamIdleHandler(10, TimeUnit.SECONDS), recorder);
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void advance(long seconds) {
        channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
        channel.runPendingTasks();
    }

    @Test
    void aConnectionWhereNothingMovesIsIdleAfterTheIdleTimeAndAgainEachTimeAfter() {
        advance(9);
        assertEquals(List.of(), events);
        advance(1);
        assertEquals(List.of(IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT), events);
        advance(10);
        assertEquals(List.of(IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT, IdleStateEvent.ALL_IDLE_STATE_EVENT), events);
    }

    @Test
    void aReadPutsIdlenessOffByAWholeIdleTime() {
        advance(6);
        channel.writeInbound("response bytes");
        advance(6);
        assertEquals(List.of(), events, "read 6 s ago");
        advance(4);
        assertEquals(List.of(IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT), events);
        assertEquals("response bytes", channel.readInbound());
    }

    @Test
    void aWritePutsIdlenessOffAndKeepsItsVoidPromiseVoid() {
        advance(6);
        channel.writeOneOutbound("request bytes", channel.voidPromise());
        channel.flushOutbound();
        advance(6);
        assertEquals(List.of(), events, "written 6 s ago");
        advance(4);
        assertEquals(List.of(IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT), events);
        assertEquals(List.of(true), voidWrites, "no listener hung on the write");
        assertEquals("request bytes", channel.readOutbound());
    }

    @Test
    void movingAfterAnIdleEventMakesTheNextOneAFirstAgain() {
        advance(10);
        channel.writeInbound("late bytes");
        advance(10);
        assertEquals(List.of(IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT, IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT),
                events);
        channel.readInbound();
    }

    @Test
    void aClosedConnectionIsNeverIdle() {
        channel.close();
        advance(20);
        assertTrue(events.isEmpty());
    }
}
