package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.config.UpstreamConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Keep-alive HTTP/1.1 connections to one endpoint, owned by one event loop: only that loop touches this
 * pool, so it needs no locks. Idle connections are reused last-in first-out (the warmest first)
 * among those the {@link ReusePolicy} lets the asking client connection have. At the connection
 * limit a request may wait (bounded by its cluster) until a connection is given back (and out of
 * quarantine) or closes; a waiter not served within the connect timeout fails as overloaded.
 */
final class Http1EndpointPool extends EndpointPool {
    private final ArrayDeque<Idle> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final ReusePolicy reuse;
    private int open;
    /** A waiter is due to be served when a quarantine ends. */
    private boolean quarantineCheckScheduled;
    /** Requests holding or waiting for a connection of this pool: the least-outstanding measure. */
    private int outstanding;

    Http1EndpointPool(EndpointHealth health, EventLoop loop, Bootstrap template, UpstreamConfig upstream,
            UpstreamPipelines pipelines, int maxConnections, ReusePolicy reuse, BooleanSupplier retired) {
        super(health, loop, template, upstream, pipelines, maxConnections, retired);
        this.reuse = reuse;
    }

    @Override
    int outstanding() {
        return outstanding;
    }

    @Override
    int waiting() {
        return waiters.size();
    }

    /** Whether {@code client} could get a connection at once (an idle one it may have, or room for a new one). */
    @Override
    boolean hasCapacity(Object client) {
        return open < maxConnections || findIdle(client, loop.ticker().nanoTime(), false) != null;
    }

    /**
     * A connection ready for one request of {@code client} (a downstream connection; null when
     * unknown): an idle one still open that it may have, or a new one; when the pool is at its
     * limit and {@code mayWait}, the first connection it may have that is given back or freed up.
     */
    @Override
    Future<Channel> acquire(boolean mayWait, Object client) {
        Channel reusable = acquireIdle(client);
        if (reusable != null) {
            return loop.newSucceededFuture(reusable);
        }
        Promise<Channel> promise = loop.newPromise();
        outstanding++;
        if (open < maxConnections) {
            connect(promise);
        } else if (mayWait) {
            Waiter waiter = new Waiter(promise, client);
            waiter.timeout = loop.schedule(() -> {
                if (waiters.remove(waiter)) {
                    outstanding--;
                    promise.tryFailure(new PoolExhaustedException(endpoint()));
                }
            }, waitMillis, TimeUnit.MILLISECONDS);
            waiters.add(waiter);
            scheduleQuarantineCheck();
        } else {
            outstanding--;
            promise.setFailure(new PoolExhaustedException(endpoint()));
        }
        return promise;
    }

    /** The warmest open idle connection {@code client} may have, or null; without a promise (the usual case). */
    @Override
    Channel acquireIdle(Object client) {
        Idle reusable = findIdle(client, loop.ticker().nanoTime(), true);
        if (reusable == null) {
            return null;
        }
        outstanding++;
        return reusable.channel();
    }

    /** The warmest open idle connection {@code client} may have, taken out of the pool when {@code take}. */
    private Idle findIdle(Object client, long now, boolean take) {
        Iterator<Idle> entries = idle.iterator();
        while (entries.hasNext()) {
            Idle entry = entries.next();
            // Whether this client may have it comes first: a comparison of what the entry holds. Under
            // many streams of few h2 connections, most idle connections wait out another client
            // connection's quarantine, and reading each one's channel state on every acquire was
            // measurable (bench/load h2-100). A connection that closes leaves the pool by itself.
            if (!reuse.mayServe(entry.lastClient(), entry.sinceNanos(), client, now)) {
                continue;
            }
            if (!entry.channel().isActive()) {
                // A connection the upstream closed is not active any more: never hand it out again.
                entries.remove();
            } else if (!pipelines.reusable(entry.channel(), upstream)) {
                // Made with TLS material a reload has replaced: it goes instead of serving again.
                entries.remove();
                entry.channel().close();
            } else {
                if (take) {
                    entries.remove();
                }
                return entry;
            }
        }
        return null;
    }

    private void connect(Promise<Channel> promise) {
        open++;
        ChannelFuture connect = bootstrap.connect(endpoint().host(), endpoint().port());
        Channel channel = connect.channel();
        channel.closeFuture().addListener(f -> {
            open--;
            idle.removeIf(entry -> entry.channel() == channel);
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
                        release(channel, null);
                    }
                } else {
                    outstanding--;
                    channel.close();
                    promise.tryFailure(r.cause());
                }
            });
        });
    }

    /**
     * Takes a connection back after a complete exchange; only call it for a connection fit for reuse.
     *
     * @param client the client connection it served (null: none, it never carried a request)
     */
    @Override
    void release(Channel channel, Object client) {
        outstanding--;
        if (client != null) {
            markServed(channel);
        }
        if (!channel.isActive()) {
            return;
        }
        if (retired.getAsBoolean() && waiters.isEmpty()) {
            // No new exchange will ask a retired pool: idling here would only hold the upstream's socket.
            channel.close();
            return;
        }
        if (!pipelines.reusable(channel, upstream)) {
            // Made with TLS material a reload has replaced: its request is done, so it goes.
            channel.close();
            return;
        }
        idle.addFirst(new Idle(channel, client, loop.ticker().nanoTime()));
        serveWaiters();
    }

    /** Hands idle connections to waiters that may have them; the others wait for a quarantine to end. */
    private void serveWaiters() {
        long now = loop.ticker().nanoTime();
        Iterator<Waiter> queued = waiters.iterator();
        while (queued.hasNext() && !idle.isEmpty()) {
            Waiter waiter = queued.next();
            Idle entry = findIdle(waiter.client, now, true);
            if (entry != null) {
                queued.remove();
                waiter.timeout.cancel(false);
                if (!waiter.promise.trySuccess(entry.channel())) {
                    outstanding--;
                    idle.addFirst(entry);
                }
            }
        }
        if (retired.getAsBoolean() && waiters.isEmpty()) {
            closeIdle();
        }
        scheduleQuarantineCheck();
    }

    /** Waiters left while quarantined connections sit idle: look again when the first quarantine ends. */
    private void scheduleQuarantineCheck() {
        if (quarantineCheckScheduled || waiters.isEmpty() || idle.isEmpty()) {
            return;
        }
        long due = Long.MAX_VALUE;
        for (Idle entry : idle) {
            due = Math.min(due, reuse.freeForAllNanos(entry.sinceNanos()));
        }
        quarantineCheckScheduled = true;
        loop.schedule(() -> {
            quarantineCheckScheduled = false;
            serveWaiters();
        }, Math.max(0, due - loop.ticker().nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** A lease ended without the connection coming back (closed, or handed over to a tunnel). */
    @Override
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
    @Override
    void closeIdle() {
        Idle entry;
        while ((entry = idle.pollFirst()) != null) {
            entry.channel().close();
        }
    }

    @Override
    boolean reused(Channel channel) {
        return served(channel);
    }

    /** An idle connection, the client connection it last served, and since when it is idle. */
    private record Idle(Channel channel, Object lastClient, long sinceNanos) {}

    private static final class Waiter {
        final Promise<Channel> promise;
        final Object client;
        ScheduledFuture<?> timeout;

        Waiter(Promise<Channel> promise, Object client) {
            this.promise = promise;
            this.client = client;
        }
    }
}
