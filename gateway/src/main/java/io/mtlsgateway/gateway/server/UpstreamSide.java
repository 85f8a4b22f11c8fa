package io.mtlsgateway.gateway.server;

import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import io.mtlsgateway.gateway.pipeline.UpstreamInitializers;
import io.mtlsgateway.gateway.tls.UpstreamTlsContext;
import io.mtlsgateway.gateway.tls.UpstreamTlsHolder;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What every listener's upstream pools share for the life of the process: the bootstrap they
 * connect with, the upstream TLS contexts (swapped whole by a reload, their expiry dates
 * published as metrics), the initializers, and the group of every open upstream connection, so
 * that a stop closes those of retired pools too.
 */
final class UpstreamSide {
    private final GatewayMetrics metrics;
    private final Bootstrap template;
    private final UpstreamTlsHolder tls = new UpstreamTlsHolder();
    private final ChannelGroup channels = new DefaultChannelGroup("upstreams", GlobalEventExecutor.INSTANCE);
    private final UpstreamInitializers pipelines;

    UpstreamSide(SocketTransport transport, GatewayMetrics metrics) {
        this.metrics = metrics;
        this.pipelines = new UpstreamInitializers(tls, channels, metrics::upstreamOccupancy);
        this.template = new Bootstrap()
                .channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, Listeners.WATER_MARK);
    }

    /** The bootstrap every pool clones, on its own event loop. */
    Bootstrap template() {
        return template;
    }

    /** The initializers pools open connections (and health checks) with. */
    UpstreamInitializers pipelines() {
        return pipelines;
    }

    /** Makes {@code built} the upstream TLS of new connections, and publishes its expiry dates. */
    void publish(GatewayConfig from, Map<String, UpstreamTlsContext> built) {
        Map<String, UpstreamTlsContext> now = tls.swap(built);
        for (String name : from.upstreams().keySet()) {
            UpstreamTlsContext context = now.get(name);
            if (context == null) {
                metrics.upstreamCertificates(name, Optional.empty(), Optional.empty(), Optional.empty());
            } else {
                metrics.upstreamCertificates(name, context.material().clientNotAfter(),
                        context.material().earliestCaNotAfter(), context.material().earliestCrlNextUpdate());
            }
        }
    }

    /**
     * Closes every open upstream connection, of current and retired pools alike, while the loops
     * still run: each pipeline (and its TLS engine) is torn down rather than abandoned with the loop.
     */
    void closeConnections() {
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Releases the upstream TLS contexts (after the event loops stopped). */
    void releaseContexts() {
        tls.close();
    }
}
