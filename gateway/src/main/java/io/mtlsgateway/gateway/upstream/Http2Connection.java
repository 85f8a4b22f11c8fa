package io.mtlsgateway.gateway.upstream;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/**
 * A pooled HTTP/2 upstream connection as its pool sees it: ready once the upstream's first
 * SETTINGS arrived (so its stream limit is known before a single stream is opened), how many
 * streams it may carry, how many are open, and whether it still takes new ones (not after a
 * GOAWAY, nor once idle or retired). Its {@link Http2ConnectionHandler} reports what the
 * connection hears. Only the connection's event loop uses it.
 */
final class Http2Connection {
    /** Streams assumed when the upstream announces no limit (RFC 9113 section 6.5.2 advises at least 100). */
    static final int DEFAULT_MAX_STREAMS = 100;
    /** Streams one connection opens before it is retired: far below the 2^30 client stream ids. */
    static final long MAX_STREAMS_PER_CONNECTION = 1L << 29;

    /** Hears what changes the connection's capacity. */
    interface Listener {
        void capacityChanged(Http2Connection connection);
    }

    private final Channel channel;
    private final Promise<Void> ready;
    private Listener listener;
    private int maxStreams = DEFAULT_MAX_STREAMS;
    private int active;
    private long opened;
    private boolean goingAway;

    Http2Connection(Channel channel, Promise<Void> ready) {
        this.channel = channel;
        this.ready = ready;
    }

    void listen(Listener newListener) {
        this.listener = newListener;
    }

    Channel channel() {
        return channel;
    }

    /** Completes when the upstream's first SETTINGS frame arrived; fails with why the connection could not be used. */
    Future<Void> ready() {
        return ready;
    }

    int maxStreams() {
        return maxStreams;
    }

    int active() {
        return active;
    }

    /** Whether another stream may be opened on this connection now. */
    boolean hasRoom() {
        return acceptsStreams() && active < maxStreams;
    }

    /** Ready, open and not going away: it takes new streams (when it has room). */
    boolean acceptsStreams() {
        return ready.isSuccess() && !goingAway && channel.isActive();
    }

    boolean connecting() {
        return !ready.isDone();
    }

    /** Counts a stream as open from now on, before it exists: the room it takes is gone at once. */
    void reserve() {
        active++;
        if (++opened >= MAX_STREAMS_PER_CONNECTION) {
            goingAway = true;
        }
    }

    /** The stream reserved for is open: counted until it closes. */
    void streamOpened(Channel stream) {
        stream.closeFuture().addListener(f -> streamEnded());
    }

    /** A reserved stream could not be opened, or an open one closed. */
    void streamEnded() {
        active--;
        if (goingAway && active == 0) {
            channel.close();
        }
        notifyListener();
    }

    /** No new streams from now on; the connection closes once its open streams are done. */
    void retire() {
        goingAway = true;
        if (active == 0) {
            channel.close();
        }
    }

    /**
     * The upstream's SETTINGS: its stream limit, if it names one.
     *
     * @return whether these were the first (the connection just became ready)
     */
    boolean settings(Long maxConcurrentStreams) {
        if (maxConcurrentStreams != null) {
            maxStreams = (int) Math.min(Integer.MAX_VALUE, maxConcurrentStreams);
        }
        boolean first = ready.trySuccess(null);
        notifyListener();
        return first;
    }

    /** A GOAWAY: streams the upstream still processes finish, nothing new is sent here. */
    void goAway() {
        retire();
        notifyListener();
    }

    /**
     * Nothing moved for a whole idle timeout.
     *
     * @return whether to close it: no stream is open (the upstream may close it any moment)
     */
    boolean idle() {
        if (active == 0) {
            goingAway = true;
            return true;
        }
        return false;
    }

    /** The connection failed (TLS, a connection error): it never becomes ready, or serves no more. */
    void failed(Throwable cause) {
        goingAway = true;
        ready.tryFailure(cause);
    }

    /** The connection closed. */
    void closed() {
        goingAway = true;
        ready.tryFailure(new UpstreamStreamException("the upstream closed the connection before its SETTINGS", false));
        notifyListener();
    }

    private void notifyListener() {
        if (listener != null) {
            listener.capacityChanged(this);
        }
    }
}
