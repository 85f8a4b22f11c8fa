package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.gateway.pipeline.HttpCodecs;
import io.mtlsgateway.gateway.pipeline.PipelineNames;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to one endpoint, owned by one event loop: only that loop touches this
 * pool, so it needs no locks. Idle connections are reused last-in first-out (the warmest first).
 */
final class EndpointPool {
    private final HostPort endpoint;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final int maxConnections;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private int open;

    EndpointPool(HostPort endpoint, EventLoop loop, Bootstrap template, Duration connectTimeout,
            Duration idleTimeout, int maxConnections) {
        this.endpoint = endpoint;
        this.loop = loop;
        this.maxConnections = maxConnections;
        long idleMillis = idleTimeout.toMillis();
        this.bootstrap = template.clone(loop)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(PipelineNames.UPSTREAM_CODEC, HttpCodecs.client())
                                .addLast(PipelineNames.UPSTREAM_IDLE,
                                        new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                                .addLast(PipelineNames.UPSTREAM_HANDLER, new UpstreamChannelHandler());
                    }
                });
    }

    HostPort endpoint() {
        return endpoint;
    }

    /** A connection ready for one request: an idle one still open, or a new one. */
    Future<Channel> acquire() {
        Promise<Channel> promise = loop.newPromise();
        Channel reusable;
        while ((reusable = idle.pollFirst()) != null) {
            if (reusable.isActive()) {
                return promise.setSuccess(reusable);
            }
        }
        if (open >= maxConnections) {
            return promise.setFailure(new PoolExhaustedException(endpoint));
        }
        open++;
        ChannelFuture connect = bootstrap.connect(endpoint.host(), endpoint.port());
        Channel channel = connect.channel();
        channel.closeFuture().addListener(f -> {
            open--;
            idle.remove(channel);
        });
        connect.addListener(f -> {
            if (f.isSuccess()) {
                promise.setSuccess(channel);
            } else {
                promise.setFailure(f.cause());
            }
        });
        return promise;
    }

    /** Takes a connection back after a complete exchange; only call it for a connection fit for reuse. */
    void release(Channel channel) {
        if (channel.isActive()) {
            idle.addFirst(channel);
        }
    }

    /** Closes every idle connection (the pool is being retired). */
    void closeIdle() {
        Channel channel;
        while ((channel = idle.pollFirst()) != null) {
            channel.close();
        }
    }
}
