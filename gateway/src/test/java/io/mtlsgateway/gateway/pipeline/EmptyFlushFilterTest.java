package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Flushes reach the handlers below only when something was written through the filter since the last one. */
class EmptyFlushFilterTest {
    private int flushesBelow;

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
                flushesBelow++;
                ctx.flush();
            }
        }, new EmptyFlushFilter());
    }

    @Test
    void aFlushAfterAWriteGoesOnAndTheWriteArrives() {
        EmbeddedChannel channel = channel();
        channel.write(Unpooled.copiedBuffer("frame", StandardCharsets.US_ASCII));
        channel.flush();

        assertEquals(1, flushesBelow);
        ByteBuf sent = channel.readOutbound();
        assertEquals("frame", sent.toString(StandardCharsets.US_ASCII));
        sent.release();
        assertFalse(channel.finish());
    }

    @Test
    void flushesWithNothingWrittenSinceTheLastOneStopHere() {
        EmbeddedChannel channel = channel();
        channel.flush();
        assertEquals(0, flushesBelow, "nothing was ever written");

        channel.writeAndFlush(Unpooled.copiedBuffer("a", StandardCharsets.US_ASCII));
        channel.flush();
        channel.flush();
        assertEquals(1, flushesBelow, "one flush for the one write");

        channel.write(Unpooled.copiedBuffer("b", StandardCharsets.US_ASCII));
        channel.write(Unpooled.copiedBuffer("c", StandardCharsets.US_ASCII));
        channel.flush();
        assertEquals(2, flushesBelow, "writes since the last flush: the next one goes on");
        assertEquals(3, channel.outboundMessages().size());
        assertTrue(channel.finishAndReleaseAll(), "all three writes arrived");
    }
}
