package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.config.UpstreamConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.List;

/**
 * One upstream's endpoints as seen from one event loop: picks endpoints round-robin and, when a
 * connection cannot be made, tries the next endpoint (nothing was sent, so this is always safe).
 */
final class UpstreamCluster {
    private final String name;
    private final List<EndpointPool> endpoints;
    private final Duration responseTimeout;
    private final EventLoop loop;
    private int next;

    UpstreamCluster(UpstreamConfig config, EventLoop loop, Bootstrap template) {
        this.name = config.name();
        this.loop = loop;
        this.responseTimeout = config.responseTimeout();
        this.endpoints = config.endpoints().stream()
                .map(endpoint -> new EndpointPool(endpoint, loop, template, config.connectTimeout(),
                        config.idleTimeout(), config.maxConnectionsPerEndpoint()))
                .toList();
    }

    String name() {
        return name;
    }

    Duration responseTimeout() {
        return responseTimeout;
    }

    /** A connection to some endpoint; fails with the last endpoint's error when none can be reached. */
    Future<Lease> acquire() {
        Promise<Lease> promise = loop.newPromise();
        int first = next;
        next = (next + 1) % endpoints.size();
        tryEndpoint(first, 0, promise);
        return promise;
    }

    private void tryEndpoint(int index, int attempt, Promise<Lease> promise) {
        EndpointPool pool = endpoints.get(index);
        pool.acquire().addListener((Future<Channel> f) -> {
            if (f.isSuccess()) {
                if (!promise.trySuccess(new Lease(pool, f.getNow()))) {
                    // The exchange gave up meanwhile (client went away): keep the connection.
                    pool.release(f.getNow());
                }
            } else if (attempt + 1 < endpoints.size() && !promise.isDone()) {
                tryEndpoint((index + 1) % endpoints.size(), attempt + 1, promise);
            } else {
                promise.tryFailure(f.cause());
            }
        });
    }

    void closeIdle() {
        endpoints.forEach(EndpointPool::closeIdle);
    }

    /** A connection taken from an endpoint's pool, to be given back or closed. */
    record Lease(EndpointPool pool, Channel channel) {
        UpstreamChannelHandler handler() {
            return channel.pipeline().get(UpstreamChannelHandler.class);
        }

        void giveBack() {
            handler().detach();
            pool.release(channel);
        }

        void discard() {
            handler().detach();
            channel.close();
        }
    }
}
