package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.identity.IdentityHeaderWriter;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * The request's way to the upstream: its head, then its body parts as the client sends them,
 * held back while no upstream connection is there yet and written in order once one is.
 */
final class RequestRelay {
    private final HttpRequest head;
    private final IdentityHeaderWriter identityHeaders;
    private final RequestRecord record;
    /** Body parts that arrived before the upstream connection was ready; made when the first does. */
    private ArrayDeque<HttpObject> pending;
    private Channel upstream;
    private boolean complete;

    /** @param head the head to send upstream (already rewritten for it) */
    RequestRelay(HttpRequest head, IdentityHeaderWriter identityHeaders, RequestRecord record) {
        this.head = head;
        this.identityHeaders = identityHeaders;
        this.record = record;
    }

    /** Whether the client sent the whole request (or its stream broke off where it cannot go on: a malformed part). */
    boolean complete() {
        return complete;
    }

    /** Whether more of the body can be written upstream right now. */
    boolean wantsData() {
        return !complete && upstream != null && upstream.isWritable();
    }

    /**
     * Writes the head and what was held back to a newly leased connection; flushed by the caller.
     *
     * @param again this is a retry: the first attempt took the request's (empty) end with it
     */
    void connected(Channel connection, boolean again) {
        upstream = connection;
        // Every message is retained by the write. Written with the void promise (no promise and
        // listener per write, on every request): a failed write reaches the connection's last
        // handler as an exception, which closes it and reports to the exchange as the upstream closing.
        write(head);
        HttpObject part;
        while (pending != null && (part = pending.poll()) != null) {
            write(part);
        }
        if (again) {
            // The encoder needs an end too, or it would wait for body content and refuse the
            // connection's next request.
            write(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    private void write(HttpObject message) {
        upstream.write(message, upstream.voidPromise());
    }

    /** The connection is gone (given up for a retry): nothing is written until the next one. */
    void disconnected() {
        upstream = null;
    }

    /**
     * A body part from the client: written upstream, or held until there is a connection.
     *
     * @return false for a malformed part (a bad chunk): released, never forwarded, and the request
     *     counts as complete, since the rest of the stream cannot be framed
     */
    boolean add(HttpObject part) {
        if (part.decoderResult().isFailure()) {
            ReferenceCountUtil.release(part);
            complete = true;
            return false;
        }
        if (part instanceof HttpContent content) {
            record.addBytesIn(content.content().readableBytes());
        }
        if (part instanceof LastHttpContent last) {
            identityHeaders.stripTrailers(last.trailingHeaders());
            complete = true;
        }
        if (upstream == null) {
            if (pending == null) {
                pending = new ArrayDeque<>(4);
            }
            pending.add(part);
        } else {
            write(part);
        }
        return true;
    }

    /** Whether there is a connection to write to. */
    boolean connected() {
        return upstream != null;
    }

    void flush() {
        if (upstream != null) {
            upstream.flush();
        }
    }

    /** Releases what was held back and never sent. */
    void releasePending() {
        HttpObject part;
        while (pending != null && (part = pending.poll()) != null) {
            ReferenceCountUtil.release(part);
        }
    }
}
