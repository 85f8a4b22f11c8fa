package io.mtlsgateway.gateway.pipeline;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpObject;

/**
 * The client side of the requests the request stage serves, as it writes to it: response heads,
 * body parts and ends (as HTTP objects), flushes, the end of the conversation, writability and
 * whether to read. Two kinds: an HTTP/1.1 connection ({@link ChannelDownstream}, the channel's
 * context), and one stream of an h2 connection, written as frames straight to the connection's
 * frame codec (no child channel per stream).
 *
 * <p>What "the end" means differs and is the reason for this type: an HTTP/1.1 answer that must
 * close closes the connection; an h2 stream's only resets that stream (RST_STREAM CANCEL when
 * either side has not ended it), never the connection its siblings share. A failed write ends it
 * the same way. Used on its event loop only.
 */
public interface Downstream {
    /** The client's connection (for an h2 stream: the connection it came on). */
    Channel connection();

    /** The loop the client's connection, and every upstream connection serving it, run on. */
    default EventLoop eventLoop() {
        return connection().eventLoop();
    }

    /** The connection's allocator (what its handlers' contexts give too). */
    default ByteBufAllocator alloc() {
        return connection().alloc();
    }

    /** The h2 stream id; 0 for an HTTP/1.1 connection. */
    int streamId();

    /** Writes a response part, unflushed; a failed write ends the conversation ({@link #close}). */
    void write(HttpObject message);

    /**
     * Writes and flushes a response part; a failed write ends the conversation.
     *
     * @param closeAfter end the conversation once it is written
     * @return done when it was written
     */
    ChannelFuture writeAndFlush(HttpObject message, boolean closeAfter);

    void flush();

    /** Ends the conversation now: the HTTP/1.1 connection closes, the h2 stream is reset if still open. */
    void close();

    /** Ends the conversation once {@code written} is done. */
    void closeAfter(ChannelFuture written);

    /** Whether the client takes more now (its connection's buffer, an h2 stream's send window). */
    boolean isWritable();

    /** Whether what the client sends is read (and, for h2, its stream's window given back). */
    boolean reading();

    void reading(boolean on);

    /**
     * The client is over its per-identity connection cap: an h2 connection is asked to go away
     * (GOAWAY, its open streams answered); an HTTP/1.1 one closes after its answer anyway.
     */
    void connectionCapExceeded();

    /** The pipeline a 101 turns into a tunnel: HTTP/1.1 only (h2 refuses upgrades before they get here). */
    ChannelPipeline tunnelPipeline();
}
