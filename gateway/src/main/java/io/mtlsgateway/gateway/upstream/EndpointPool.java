package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.config.UpstreamConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * The connections one event loop has to one endpoint, handed out one request at a time: an
 * HTTP/1.1 keep-alive connection ({@link Http1EndpointPool}) or a stream of a shared HTTP/2
 * connection ({@link Http2EndpointPool}). Only the owning loop touches a pool, so it needs no locks.
 */
public abstract sealed class EndpointPool permits Http1EndpointPool, Http2EndpointPool {
    /** Set once a connection has carried a whole exchange: from then on it is a reused one. */
    private static final AttributeKey<Boolean> SERVED = AttributeKey.valueOf("mtls-upstream-served");

    private final EndpointHealth health;
    /** The endpoint as text, made once: every request's record names it. */
    private final String endpointText;
    final EventLoop loop;
    final UpstreamConfig upstream;
    final UpstreamPipelines pipelines;
    /** Bound to {@link #loop}, connecting with the upstream's timeout and the pooled pipeline. */
    final Bootstrap bootstrap;
    final int maxConnections;
    /** How long a request may wait for a connection (the connect timeout). */
    final long waitMillis;
    /** Whether the pool was replaced by a reload: its connections close when released. */
    final BooleanSupplier retired;

    /** @param pipelines sets up each new connection's pipeline, ending in an {@link UpstreamChannelHandler} */
    EndpointPool(EndpointHealth health, EventLoop loop, Bootstrap template, UpstreamConfig upstream,
            UpstreamPipelines pipelines, int maxConnections, BooleanSupplier retired) {
        this.health = health;
        this.endpointText = health.endpoint().toString();
        this.loop = loop;
        this.upstream = upstream;
        this.pipelines = pipelines;
        this.maxConnections = maxConnections;
        this.retired = retired;
        this.waitMillis = upstream.connectTimeout().toMillis();
        this.bootstrap = connecting(template, loop, upstream, pipelines.pooled(upstream, health.endpoint()));
    }

    /** The endpoint this pool connects to. */
    public HostPort endpoint() {
        return health.endpoint();
    }

    /** {@link #endpoint()} as {@code host:port}. */
    public String endpointText() {
        return endpointText;
    }

    EndpointHealth health() {
        return health;
    }

    /** Requests holding or waiting for a connection of this pool: the least-outstanding measure. */
    abstract int outstanding();

    /** Requests waiting for a connection (counted against the cluster's queue limit). */
    abstract int waiting();

    /** Whether {@code client} could get a connection at once. */
    abstract boolean hasCapacity(Object client);

    /**
     * A channel ready for one request of {@code client} (a downstream connection; null when
     * unknown); when none is free and {@code mayWait}, the first one that becomes free, else a
     * {@link PoolExhaustedException}. Its pipeline ends in an {@link UpstreamChannelHandler}.
     */
    abstract Future<Channel> acquire(boolean mayWait, Object client);

    /**
     * An idle connection {@code client} may have, taken for one request, or null when there is
     * none at hand (then {@link #acquire}); this kind of pool has none to give at once.
     */
    Channel acquireIdle(Object client) {
        return null;
    }

    /** Takes back a channel after a complete exchange; only call it for one fit for reuse. */
    abstract void release(Channel channel, Object client);

    /** A lease ended without the channel coming back (closed, or handed over to a tunnel). */
    abstract void forget();

    /** Closes every idle connection (the pool is being retired). */
    abstract void closeIdle();

    /** Whether the connection under {@code channel} carried a whole exchange before this one. */
    abstract boolean reused(Channel channel);

    static boolean served(Channel connection) {
        return Boolean.TRUE.equals(connection.attr(SERVED).get());
    }

    static void markServed(Channel connection) {
        connection.attr(SERVED).set(Boolean.TRUE);
    }

    /**
     * The template bound to {@code loop}, with the upstream's connect timeout and {@code
     * initializer}; endpoint names are looked up off the loop.
     */
    private static Bootstrap connecting(Bootstrap template, EventLoop loop, UpstreamConfig upstream, ChannelHandler initializer) {
        return template.clone(loop)
                .resolver(OffLoopResolver.INSTANCE)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, upstream.connectTimeout().toMillis()))
                .handler(initializer);
    }
}
