package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.config.LoadBalancing;
import io.mtlsgateway.config.UpstreamConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One upstream's endpoints as seen from one event loop: picks an endpoint by the configured
 * policy among those in rotation (not ejected, not failing health checks) and, when a connection
 * cannot be made, tries another endpoint (nothing was sent, so this is always safe). If no endpoint
 * is in rotation every endpoint is tried anyway: a guess beats refusing all traffic.
 */
public final class UpstreamCluster {
    private final String name;
    private final List<EndpointPool> endpoints;
    private final Duration responseTimeout;
    private final LoadBalancing policy;
    private final int maxPending;
    private final EventLoop loop;
    private int next;

    /**
     * @param health one entry per endpoint, shared with the other loops' clusters
     * @param loops how many event loops share the connection and queue limits
     * @param reuse when a connection may serve another client connection
     * @param retired whether a reload replaced these pools (connections given back are closed)
     */
    UpstreamCluster(UpstreamConfig config, List<EndpointHealth> health, EventLoop loop, Bootstrap template,
            int loops, UpstreamPipelines pipelines, ReusePolicy reuse, BooleanSupplier retired) {
        this.name = config.name();
        this.loop = loop;
        this.responseTimeout = config.responseTimeout();
        this.policy = config.loadBalancing();
        this.maxPending = share(config.maxPendingRequests(), loops, 0);
        int maxConnections = share(config.maxConnectionsPerEndpoint(), loops, 1);
        this.endpoints = health.stream()
                .map(h -> config.protocol().multiplexed()
                        ? (EndpointPool) new Http2EndpointPool(h, loop, template, config, pipelines, maxConnections, retired)
                        : new Http1EndpointPool(h, loop, template, config, pipelines, maxConnections, reuse, retired))
                .toList();
    }

    /** This loop's part of a limit: rounded up, so no loop is left with nothing. */
    private static int share(int total, int loops, int atLeast) {
        return Math.max(atLeast, (int) ((total + (long) loops - 1) / loops));
    }

    public String name() {
        return name;
    }

    public Duration responseTimeout() {
        return responseTimeout;
    }

    /**
     * A connection for a request of {@code client} (the downstream connection, which the reuse
     * policy tells apart), to an endpoint other than {@code avoid} (null: any) when there is another
     * one (a retry should not go back to the endpoint that just failed), told to {@code listener}: at once,
     * before this returns, when the endpoint picked has an idle connection {@code client} may have
     * (the usual case, on every request of a busy keep-alive pool: no promise, no listener), else
     * once a connection is made, given back or none can be had.
     */
    public void acquire(EndpointPool avoid, Object client, LeaseListener listener) {
        List<EndpointPool> candidates = inRotation(avoid);
        int index = pick(candidates, client);
        EndpointPool pool = candidates.get(index);
        Channel idle = pool.acquireIdle(client);
        if (idle != null) {
            listener.leased(new Lease(pool, idle, client, pool.reused(idle)));
        } else {
            tryEndpoint(candidates, index, 0, listener, client);
        }
    }
    private List<EndpointPool> inRotation(EndpointPool avoid) {
        long now = System.nanoTime();
        if (avoid == null && allAvailable(now)) {
            return endpoints; // the usual case, on every request: no copy (the list is immutable)
        }
        List<EndpointPool> available = new ArrayList<>(endpoints.size());
        for (EndpointPool pool : endpoints) {
            if (pool != avoid && pool.health().available(now)) {
                available.add(pool);
            }
        }
        if (available.isEmpty()) {
            available.addAll(endpoints);
            if (avoid != null && available.size() > 1) {
                available.remove(avoid);
            }
        }
        return available;
    }

    private boolean allAvailable(long now) {
        for (EndpointPool pool : endpoints) {
            if (!pool.health().available(now)) {
                return false;
            }
        }
        return true;
    }

    /** The index in {@code candidates} to try first. */
    private int pick(List<EndpointPool> candidates, Object client) {
        int start = Math.floorMod(next++, candidates.size());
        int best = -1;
        for (int i = 0; i < candidates.size(); i++) {
            int index = (start + i) % candidates.size();
            EndpointPool pool = candidates.get(index);
            if (policy == LoadBalancing.ROUND_ROBIN) {
                if (pool.hasCapacity(client)) {
                    return index;
                }
            } else if (best < 0 || better(pool, candidates.get(best), client)) {
                best = index;
            }
        }
        // Round robin with every endpoint full: queue on the endpoint whose turn it was.
        return best < 0 ? start : best;
    }

    private static boolean better(EndpointPool pool, EndpointPool than, Object client) {
        boolean free = pool.hasCapacity(client);
        if (free != than.hasCapacity(client)) {
            return free;
        }
        return pool.outstanding() < than.outstanding();
    }

    private void tryEndpoint(List<EndpointPool> candidates, int index, int attempt, LeaseListener listener,
            Object client) {
        EndpointPool pool = candidates.get(index);
        boolean mayWait = waiting() < maxPending;
        pool.acquire(mayWait, client).addListener((Future<Channel> f) -> {
            if (f.isSuccess()) {
                listener.leased(new Lease(pool, f.getNow(), client, pool.reused(f.getNow())));
                return;
            }
            if (f.cause() instanceof PoolExhaustedException) {
                listener.notLeased(f.cause());
                return;
            }
            pool.health().requestFailed(System.nanoTime());
            if (attempt + 1 < candidates.size()) {
                tryEndpoint(candidates, (index + 1) % candidates.size(), attempt + 1, listener, client);
            } else {
                listener.notLeased(f.cause());
            }
        });
    }

    private int waiting() {
        int waiting = 0;
        for (EndpointPool pool : endpoints) {
            waiting += pool.waiting();
        }
        return waiting;
    }

    void closeIdle() {
        endpoints.forEach(EndpointPool::closeIdle);
    }

    /** Hears whether a connection asked for came: exactly one of the two, once. */
    public interface LeaseListener {
        /** The connection is the listener's now: it uses it, or gives it back. */
        void leased(Lease lease);

        /** None could be had: the last endpoint's error, or a {@link PoolExhaustedException}. */
        void notLeased(Throwable cause);
    }

    /**
     * A connection (for HTTP/2: a stream) taken from an endpoint's pool for {@code client}, to be
     * given back or closed; {@code reused} when its connection carried a whole exchange before.
     */
    public record Lease(EndpointPool pool, Channel channel, Object client, boolean reused) {
        private UpstreamChannelHandler handler() {
            return channel.pipeline().get(UpstreamChannelHandler.class);
        }

        /** From now on {@code listener} hears what happens on this connection. */
        public void attach(UpstreamListener listener) {
            handler().attach(listener);
        }

        /** The endpoint answered (any status): it is alive. */
        public void succeeded() {
            pool.health().requestSucceeded();
        }

        /** The endpoint failed this request at the transport level. */
        public void failed() {
            pool.health().requestFailed(System.nanoTime());
        }

        /**
         * The connection closed (or the stream was refused) before any answer, and the request is
         * sent again. On a reused connection that is the keep-alive race, not the endpoint failing:
         * the upstream closed it as idle while the request was on its way. Likewise a stream the
         * upstream said it never processed. Either way, nothing is held against the endpoint.
         * The connection is discarded; its pool is returned, for the retry to avoid.
         */
        public EndpointPool closedUnanswered(Throwable cause) {
            boolean unprocessed = cause instanceof UpstreamStreamException stream && stream.unprocessed();
            if (!reused && !unprocessed) {
                failed();
            }
            discard();
            return pool;
        }

        /**
         * Reads the upstream's response on ({@code true}) or holds it ({@code false}: the client
         * cannot take more yet). An h2 stream that reads again hands its held frames on and writes
         * the WINDOW_UPDATE for them outside the connection's own read, where nothing flushes it:
         * flushed here, or the upstream waits for window forever (a slow client's stall).
         */
        public void reading(boolean on) {
            channel.config().setAutoRead(on);
            if (on && channel.parent() != null) {
                channel.parent().flush();
            }
        }

        public void giveBack() {
            handler().detach();
            // The codec may still be decoding the rest of this read. Bytes past the response (a
            // body on a 204, say) must reach the detached handler, which closes the connection,
            // never the next exchange: so the connection is handed out again only after this read.
            channel.eventLoop().execute(() -> pool.release(channel, client));
        }

        public void discard() {
            handler().detach();
            pool.forget();
            channel.close();
        }

        /** The connection leaves the pool for good but stays open (it became a tunnel): returned. */
        public Channel handOver() {
            pool.forget();
            return channel;
        }
    }
}
