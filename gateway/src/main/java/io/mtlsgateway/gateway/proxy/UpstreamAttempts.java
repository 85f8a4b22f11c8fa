package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.upstream.EndpointPool;
import io.mtlsgateway.gateway.upstream.UpstreamCluster;
import io.mtlsgateway.gateway.upstream.UpstreamStreamException;
import io.netty.channel.Channel;

/**
 * An exchange's hold on its upstream: the one connection (or h2 stream) it has leased at a time,
 * what becomes of that lease, and whether the request may be sent once more after its connection
 * closed before any answer. Only an idempotent request without a body (still whole) may: sending
 * it again, to another endpoint, cannot do harm twice. One such retry per request; an h2 upstream
 * that refused the stream (REFUSED_STREAM, or left it out of a GOAWAY) never processed it, which
 * does not use up that retry, up to {@link #MAX_REFUSALS} times.
 */
final class UpstreamAttempts {
    /** How often a request refused unprocessed by an h2 upstream is sent again. */
    static final int MAX_REFUSALS = 3;

    private final UpstreamCluster cluster;
    private final boolean retryable;
    private UpstreamCluster.Lease lease;
    /** The request is being sent again (its end went with the first attempt). */
    private boolean retried;
    /** The one retry after a failure that may have been the upstream's is spent. */
    private boolean used;
    /** Times an h2 upstream said it did not process this request (each sent again). */
    private int refusals;

    /** @param retryable what the planner said: idempotent and without a body */
    UpstreamAttempts(UpstreamCluster cluster, boolean retryable) {
        this.cluster = cluster;
        this.retryable = retryable;
    }

    /**
     * Asks for a connection for {@code client}, from another endpoint than {@code avoid} if there
     * is one; {@code listener} hears of it, at once when an idle one is at hand.
     */
    void acquire(EndpointPool avoid, Object client, UpstreamCluster.LeaseListener listener) {
        cluster.acquire(avoid, client, listener);
    }

    /**
     * A lease asked for came: held from now on, unless the exchange ended meanwhile, when it goes
     * straight back to its pool.
     *
     * @return whether the lease is held now (false: the exchange is over)
     */
    boolean arrived(UpstreamCluster.Lease leased, boolean exchangeOver) {
        if (exchangeOver) {
            leased.giveBack();
            return false;
        }
        lease = leased;
        return true;
    }

    /** The leased connection; only while there is a lease. */
    Channel channel() {
        return lease.channel();
    }

    /** The endpoint answered (any status): it is alive. */
    void answered() {
        lease.succeeded();
    }

    /** The endpoint failed this request at the transport level (held against its health). */
    void failed() {
        if (lease != null) {
            lease.failed();
        }
    }

    /** Reads the upstream's response on, or holds it while the client cannot take more. */
    void reading(boolean on) {
        if (lease != null) {
            lease.reading(on);
        }
    }

    /** The exchange ended: its connection goes back to the pool when {@code reusable}, else it is closed. */
    void finished(boolean reusable) {
        lease.reading(true);
        if (reusable) {
            lease.giveBack();
        } else {
            lease.discard();
        }
    }

    /** The connection leaves the pool for good but stays open (it became a tunnel): returned. */
    Channel handOver() {
        return lease.handOver();
    }

    /** The exchange ended early: whatever connection it holds is closed. */
    void discard() {
        if (lease != null) {
            lease.discard();
        }
    }

    /**
     * Takes a retry for a connection that closed with {@code cause}, if one is left.
     *
     * @param answered a response head came back already
     * @param requestComplete the whole request was sent (so it can be sent again)
     */
    boolean take(Throwable cause, boolean answered, boolean requestComplete) {
        boolean refused = cause instanceof UpstreamStreamException stream && stream.unprocessed();
        if (answered || !requestComplete || !retryable || (used && !(refused && refusals < MAX_REFUSALS))) {
            return false;
        }
        if (refused) {
            refusals++;
        } else {
            used = true;
        }
        retried = true;
        return true;
    }

    /**
     * Lets go of the connection that closed unanswered, for a retry that {@link #take} allowed.
     *
     * @return the endpoint that failed, for the retry to avoid
     */
    EndpointPool retrying(Throwable cause) {
        EndpointPool failed = lease.closedUnanswered(cause);
        lease = null;
        return failed;
    }

    /** Whether the request is being sent again. */
    boolean retried() {
        return retried;
    }
}
