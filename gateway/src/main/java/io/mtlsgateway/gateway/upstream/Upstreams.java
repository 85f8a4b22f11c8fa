package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.config.UpstreamConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every upstream of a config snapshot, with separate pools per event loop so a downstream
 * connection only ever uses upstream connections on its own loop (no cross-thread hand-off).
 */
public final class Upstreams {
    private final Map<String, UpstreamConfig> configs;
    private final Bootstrap template;
    private final Map<EventLoop, Map<String, UpstreamCluster>> perLoop = new ConcurrentHashMap<>();

    /**
     * @param template a bootstrap with the transport's socket channel class and options set
     */
    public Upstreams(Map<String, UpstreamConfig> configs, Bootstrap template) {
        this.configs = Map.copyOf(configs);
        this.template = template;
    }

    /** The named upstream's pools for this loop; call it on that loop. */
    UpstreamCluster cluster(EventLoop loop, String name) {
        Map<String, UpstreamCluster> clusters = perLoop.computeIfAbsent(loop, this::clustersFor);
        UpstreamCluster cluster = clusters.get(name);
        if (cluster == null) {
            // The config validator guarantees every route names a known upstream.
            throw new IllegalStateException("unknown upstream " + name);
        }
        return cluster;
    }

    private Map<String, UpstreamCluster> clustersFor(EventLoop loop) {
        Map<String, UpstreamCluster> clusters = new HashMap<>();
        configs.forEach((name, config) -> clusters.put(name, new UpstreamCluster(config, loop, template)));
        return clusters;
    }

    /** Closes idle connections on every loop; in-use ones close when their exchange ends. */
    public void closeIdle() {
        perLoop.forEach((loop, clusters) -> loop.execute(() -> clusters.values().forEach(UpstreamCluster::closeIdle)));
    }
}
