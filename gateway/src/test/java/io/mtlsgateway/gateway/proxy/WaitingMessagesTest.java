package io.mtlsgateway.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import org.junit.jupiter.api.Test;

/** What a connection read but could not use yet: kept in order, and released when given up. */
class WaitingMessagesTest {
    @Test
    void keepsMessagesInOrderAndReadingOnIsUsefulOnlyWhileNoneWaits() {
        WaitingMessages waiting = new WaitingMessages();
        assertTrue(waiting.readingUseful(null), "nothing waits and nothing is served: read");
        HttpContent first = new DefaultHttpContent(Unpooled.copiedBuffer(new byte[] {1}));
        HttpContent second = new DefaultLastHttpContent(Unpooled.copiedBuffer(new byte[] {2}));
        waiting.add(first);
        waiting.add(second);
        waiting.feed(null);

        assertFalse(waiting.readingUseful(null), "a queued message is served first");
        assertSame(first, waiting.next());
        assertSame(second, waiting.next());
        assertNull(waiting.next());
        assertTrue(waiting.isEmpty());
        first.release();
        second.release();
    }

    @Test
    void releasesWhatWaitsWhenTheConnectionGivesUpOnIt() {
        WaitingMessages waiting = new WaitingMessages();
        HttpContent body = new DefaultHttpContent(Unpooled.copiedBuffer(new byte[] {1}));
        waiting.add(body);

        waiting.release();

        assertEquals(0, body.refCnt());
        assertTrue(waiting.isEmpty());
    }
}
