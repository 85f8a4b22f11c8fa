package io.mtlsgateway.gateway.proxy;

import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * What a client connection read but could not use yet: the rest of a request whose exchange is
 * not there yet, or pipelined requests behind the one being served. Held in order, unread
 * further, and released if the connection gives up on them.
 */
final class WaitingMessages {
    private final ArrayDeque<HttpObject> messages = new ArrayDeque<>();

    boolean isEmpty() {
        return messages.isEmpty();
    }

    void add(HttpObject message) {
        messages.add(message);
    }

    HttpObject next() {
        return messages.poll();
    }

    /** Hands {@code current} the body parts that wait for it; stops at the next request's head. */
    void feed(Exchange current) {
        while (current != null && !current.requestComplete() && !messages.isEmpty()) {
            current.onRequestPart(messages.poll());
        }
    }

    /**
     * Whether reading on is of use: nothing waits, and what the client sends next can go to the
     * current exchange at once (or there is none). Once a request is complete its exchange needs
     * nothing more, but reading stops only when something was actually queued behind it (a
     * pipelined request): switching reads off and on around every keep-alive request cost two
     * epoll_ctl calls per request (about 3 % of the CPU in bench/load), for a client that sends
     * nothing meanwhile. The queue still holds at most one read's worth of messages.
     */
    boolean readingUseful(Exchange current) {
        return messages.isEmpty()
                && (current == null || current.requestComplete() || current.wantsRequestData());
    }

    /** The connection gives up on them. */
    void release() {
        HttpObject message;
        while ((message = messages.poll()) != null) {
            ReferenceCountUtil.release(message);
        }
    }
}
