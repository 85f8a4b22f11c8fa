package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.config.UpstreamConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * HTTP/2 connections to one endpoint, owned by one event loop, each carrying many requests at
 * once, one stream each. A request gets a stream on the first connection with room under the
 * upstream's SETTINGS_MAX_CONCURRENT_STREAMS; when every connection is full another is opened (up
 * to the connection limit), else the request waits (bounded by its cluster) until a stream ends.
 * A connection that got a GOAWAY, idled out or was made with replaced TLS material takes no new
 * streams; its open ones finish.
 */
final class Http2EndpointPool extends EndpointPool implements Http2Connection.Listener {
    private final ChannelHandler streamInitializer;
    private final List<Http2Connection> connections = new ArrayList<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int outstanding;
    /** The stream limit the endpoint announced last: what a connection still connecting is expected to take. */
    private int expectedStreams = Http2Connection.DEFAULT_MAX_STREAMS;

    Http2EndpointPool(EndpointHealth health, EventLoop loop, Bootstrap template, UpstreamConfig upstream,
            UpstreamPipelines pipelines, int maxConnections, BooleanSupplier retired) {
        super(health, loop, template, upstream, pipelines, maxConnections, retired);
        this.streamInitializer = pipelines.stream(upstream);
    }

    @Override
    int outstanding() {
        return outstanding;
    }

    @Override
    int waiting() {
        return waiters.size();
    }

    @Override
    boolean hasCapacity(Object client) {
        return withRoom() != null || connections.size() < maxConnections;
    }

    @Override
    Future<Channel> acquire(boolean mayWait, Object client) {
        Promise<Channel> promise = loop.newPromise();
        outstanding++;
        Http2Connection connection = withRoom();
        if (connection != null) {
            openStream(connection, promise);
            return promise;
        }
        if (expectedRoom() > waiters.size() || connections.size() < maxConnections || mayWait) {
            enqueue(promise);
            connectIfShort();
        } else {
            outstanding--;
            promise.setFailure(new PoolExhaustedException(endpoint()));
        }
        return promise;
    }

    /** The connection with room that is busiest: new streams fill connections before spreading out. */
    private Http2Connection withRoom() {
        Http2Connection best = null;
        // A copy: retiring a connection may close it, which takes it off the list.
        for (Http2Connection connection : List.copyOf(connections)) {
            if (connection.acceptsStreams() && !pipelines.reusable(connection.channel(), upstream)) {
                // Made with TLS material a reload has replaced: its streams finish, no new ones.
                connection.retire();
            } else if (connection.hasRoom() && (best == null || connection.active() > best.active())) {
                best = connection;
            }
        }
        return best;
    }

    /** Streams the connections still connecting are expected to take. */
    private int expectedRoom() {
        int room = 0;
        for (Http2Connection connection : connections) {
            if (connection.connecting()) {
                room += expectedStreams;
            }
        }
        return room;
    }

    private void enqueue(Promise<Channel> promise) {
        Waiter waiter = new Waiter(promise);
        waiters.add(waiter);
        armTimeout(waiter);
    }

    /**
     * A waiter gives up (overloaded) when not served within the connect timeout, unless a
     * connection is still on its way: that one ends in a stream or in its own failure.
     */
    private void armTimeout(Waiter waiter) {
        waiter.timeout = loop.schedule(() -> {
            if (!waiters.contains(waiter)) {
                return;
            }
            if (expectedRoom() > 0) {
                armTimeout(waiter);
                return;
            }
            waiters.remove(waiter);
            outstanding--;
            waiter.promise.tryFailure(new PoolExhaustedException(endpoint()));
        }, waitMillis, TimeUnit.MILLISECONDS);
    }

    /** Opens connections while the waiters outnumber what the ones on their way are expected to take. */
    private void connectIfShort() {
        while (waiters.size() > expectedRoom() && connections.size() < maxConnections) {
            connect();
        }
    }

    private void connect() {
        ChannelFuture connect = bootstrap.connect(endpoint().host(), endpoint().port());
        Channel channel = connect.channel();
        Http2ConnectionHandler handler = channel.pipeline().get(Http2ConnectionHandler.class);
        if (handler == null) {
            // The connect failed before it returned (a refused loopback port can): the channel is
            // closed and its pipeline already emptied, so no connection will ever report.
            failUnservable(connect.cause() != null ? connect.cause()
                    : new ConnectException("connection to " + endpoint() + " closed before it was set up"));
            return;
        }
        Http2Connection connection = handler.connection();
        connection.listen(this);
        connections.add(connection);
        channel.closeFuture().addListener(f -> {
            connections.remove(connection);
            capacityChanged(connection);
        });
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                connectFailed(connection, f.cause());
                return;
            }
            // Over TLS nothing is written before the upstream has been verified (and chose h2).
            SslHandler tls = channel.pipeline().get(SslHandler.class);
            Future<?> verified = tls == null ? connect : tls.handshakeFuture();
            verified.addListener(v -> {
                if (!v.isSuccess()) {
                    connectFailed(connection, v.cause());
                    return;
                }
                connection.ready().addListener(r -> {
                    if (r.isSuccess()) {
                        expectedStreams = connection.maxStreams();
                        serveWaiters();
                    } else {
                        connectFailed(connection, r.cause());
                    }
                });
            });
        });
    }

    /**
     * Fails, with the connection's failure, the waiters the open connections cannot serve now.
     * Connections still on their way are not counted: to an endpoint that refuses every connection
     * they fail too, and each failure counting the next attempt kept the waiter alive in a
     * reconnect loop until the client's deadline (an h2c upstream that was down never answered 503).
     */
    private void failUnservable(Throwable cause) {
        while (waiters.size() > roomNow()) {
            Waiter waiter = waiters.pollLast();
            waiter.timeout.cancel(false);
            outstanding--;
            waiter.promise.tryFailure(cause);
        }
    }

    /**
     * A connection could not be made: the waiters it was meant for fail with its reason (so the
     * cluster may try another endpoint), those the open connections can serve now stay.
     */
    private void connectFailed(Http2Connection connection, Throwable cause) {
        connections.remove(connection);
        failUnservable(cause);
        // Closed only now: its closing serves the waiters left, which must not include those
        // just failed (they would make it connect again at once).
        connection.channel().close();
        serveWaiters();
    }

    private int roomNow() {
        int room = 0;
        for (Http2Connection connection : connections) {
            if (connection.acceptsStreams()) {
                room += Math.max(0, connection.maxStreams() - connection.active());
            }
        }
        return room;
    }

    @Override
    public void capacityChanged(Http2Connection connection) {
        serveWaiters();
    }

    private void serveWaiters() {
        Http2Connection connection;
        while (!waiters.isEmpty() && (connection = withRoom()) != null) {
            Waiter waiter = waiters.poll();
            waiter.timeout.cancel(false);
            openStream(connection, waiter.promise);
        }
        if (!waiters.isEmpty()) {
            connectIfShort();
        } else if (retired.getAsBoolean()) {
            closeIdle();
        }
    }

    private void openStream(Http2Connection connection, Promise<Channel> promise) {
        Channel parent = connection.channel();
        connection.reserve();
        new Http2StreamChannelBootstrap(parent).handler(streamInitializer).open().addListener((Future<Http2StreamChannel> f) -> {
            if (!f.isSuccess()) {
                outstanding--;
                promise.tryFailure(f.cause());
                connection.streamEnded();
                return;
            }
            Http2StreamChannel stream = f.getNow();
            connection.streamOpened(stream);
            if (!promise.trySuccess(stream)) {
                stream.close(); // the exchange gave up meanwhile
            }
        });
    }

    /** The stream's exchange ended cleanly: the stream is done, its connection serves on. */
    @Override
    void release(Channel channel, Object client) {
        outstanding--;
        if (client != null) {
            markServed(channel.parent());
        }
        channel.close();
    }

    @Override
    void forget() {
        outstanding--;
    }

    @Override
    void closeIdle() {
        for (Http2Connection connection : List.copyOf(connections)) {
            connection.retire();
        }
    }

    @Override
    boolean reused(Channel channel) {
        return channel.parent() != null && served(channel.parent());
    }

    private static final class Waiter {
        final Promise<Channel> promise;
        ScheduledFuture<?> timeout;

        Waiter(Promise<Channel> promise) {
            this.promise = promise;
        }
    }
}
