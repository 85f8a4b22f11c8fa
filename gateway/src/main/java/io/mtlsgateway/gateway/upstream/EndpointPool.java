package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.config.UpstreamConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to one endpoint, owned by one event loop: only that loop touches this
 * pool, so it needs no locks. Idle connections are reused last-in first-out (the warmest first).
 * At the connection limit a request may wait (bounded by its cluster) until a connection is given
 * back or closes; a waiter not served within the connect timeout fails as overloaded.
 */
public final class EndpointPool {
    private final HostPort endpoint;
    private final EndpointHealth health;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final int maxConnections;
    private final long waitMillis;
    private final UpstreamConfig upstream;
    private final UpstreamPipelines pipelines;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int open;
    /** Requests holding or waiting for a connection of this pool: the least-outstanding measure. */
    private int outstanding;

    /** @param pipelines sets up each new connection's pipeline, ending in an {@link UpstreamChannelHandler} */
    EndpointPool(EndpointHealth health, EventLoop loop, Bootstrap template, UpstreamConfig upstream,
            UpstreamPipelines pipelines, int maxConnections) {
        Duration connectTimeout = upstream.connectTimeout();
        ChannelHandler initializer = pipelines.pooled(upstream, health.endpoint());
        this.upstream = upstream;
        this.pipelines = pipelines;
        this.endpoint = health.endpoint();
        this.health = health;
        this.loop = loop;
        this.maxConnections = maxConnections;
        this.waitMillis = connectTimeout.toMillis();
        this.bootstrap = template.clone(loop)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .handler(initializer);
    }

    /** The endpoint this pool connects to. */
    public HostPort endpoint() {
        return endpoint;
    }

    EndpointHealth health() {
        return health;
    }

    int outstanding() {
        return outstanding;
    }

    int waiting() {
        return waiters.size();
    }

    /** Whether a request could get a connection at once (an idle one, or room for a new one). */
    boolean hasCapacity() {
        return !idle.isEmpty() || open < maxConnections;
    }

    /**
     * A connection ready for one request: an idle one still open, or a new one; when the pool is
     * at its limit and {@code mayWait}, the first connection given back or freed up.
     */
    Future<Channel> acquire(boolean mayWait) {
        Promise<Channel> promise = loop.newPromise();
        outstanding++;
        Channel reusable = pollIdle();
        if (reusable != null) {
            return promise.setSuccess(reusable);
        }
        if (open < maxConnections) {
            connect(promise);
        } else if (mayWait) {
            Waiter waiter = new Waiter(promise);
            waiter.timeout = loop.schedule(() -> {
                if (waiters.remove(waiter)) {
                    outstanding--;
                    promise.tryFailure(new PoolExhaustedException(endpoint));
                }
            }, waitMillis, TimeUnit.MILLISECONDS);
            waiters.add(waiter);
        } else {
            outstanding--;
            promise.setFailure(new PoolExhaustedException(endpoint));
        }
        return promise;
    }

    private Channel pollIdle() {
        Channel reusable;
        while ((reusable = idle.pollFirst()) != null) {
            // A connection the upstream closed is not active any more: never hand it out again.
            if (reusable.isActive() && pipelines.reusable(reusable, upstream)) {
                return reusable;
            }
            reusable.close();
        }
        return null;
    }

    private void connect(Promise<Channel> promise) {
        open++;
        ChannelFuture connect = bootstrap.connect(endpoint.host(), endpoint.port());
        Channel channel = connect.channel();
        channel.closeFuture().addListener(f -> {
            open--;
            idle.remove(channel);
            serveWaiter();
        });
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                outstanding--;
                promise.tryFailure(f.cause());
                return;
            }
            // Over TLS the connection is usable once the upstream has been verified: before
            // that, nothing may be written to it.
            SslHandler tls = channel.pipeline().get(SslHandler.class);
            Future<?> ready = tls == null ? connect : tls.handshakeFuture();
            ready.addListener(r -> {
                if (r.isSuccess()) {
                    if (!promise.trySuccess(channel)) {
                        release(channel);
                    }
                } else {
                    outstanding--;
                    channel.close();
                    promise.tryFailure(r.cause());
                }
            });
        });
    }

    /** Takes a connection back after a complete exchange; only call it for a connection fit for reuse. */
    void release(Channel channel) {
        outstanding--;
        if (!channel.isActive()) {
            return;
        }
        if (!pipelines.reusable(channel, upstream)) {
            // Made with TLS material a reload has replaced: its request is done, so it goes.
            channel.close();
            return;
        }
        Waiter waiter = waiters.poll();
        if (waiter != null) {
            waiter.timeout.cancel(false);
            if (waiter.promise.trySuccess(channel)) {
                return;
            }
            outstanding--;
        }
        idle.addFirst(channel);
    }

    /** A lease ended without the connection coming back (closed, or handed over to a tunnel). */
    void forget() {
        outstanding--;
    }

    /** A connection closed: a waiter may open a new one in its place. */
    private void serveWaiter() {
        if (open < maxConnections && !waiters.isEmpty()) {
            Waiter waiter = waiters.poll();
            waiter.timeout.cancel(false);
            connect(waiter.promise);
        }
    }

    /** Closes every idle connection (the pool is being retired). */
    void closeIdle() {
        Channel channel;
        while ((channel = idle.pollFirst()) != null) {
            channel.close();
        }
    }

    private static final class Waiter {
        final Promise<Channel> promise;
        ScheduledFuture<?> timeout;

        Waiter(Promise<Channel> promise) {
            this.promise = promise;
        }
    }
}
