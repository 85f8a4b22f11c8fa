package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.config.UpstreamConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Every upstream of a config snapshot, with separate pools per event loop so a downstream
 * connection only ever uses upstream connections on its own loop (no cross-thread hand-off).
 * Endpoint health (ejection, health checks) is shared by all loops.
 */
public final class Upstreams {
    private final Map<String, UpstreamConfig> configs;
    private final Set<String> multiplexed;
    private final Bootstrap template;
    private final int loops;
    private final Duration quarantine;
    private final Map<String, List<EndpointHealth>> health = new LinkedHashMap<>();
    private final Map<EventLoop, Map<String, UpstreamCluster>> perLoop = new ConcurrentHashMap<>();
    private final List<HealthChecker> checkers = new ArrayList<>();
    private final UpstreamPipelines pipelines;
    /** A newer snapshot replaced this one: connections its exchanges give back are closed. */
    private volatile boolean retired;

    /**
     * @param template a bootstrap with the transport's socket channel class and options set
     * @param loops how many event loops serve requests: the per-endpoint limits are shared out between them
     * @param pipelines how the pools and health checks set up the connections they open
     */
    public Upstreams(Map<String, UpstreamConfig> configs, Bootstrap template, int loops, UpstreamPipelines pipelines) {
        this(configs, template, loops, pipelines, ReusePolicy.QUARANTINE);
    }

    /** @param quarantine how long safe reuse keeps a connection from other clients (tests change it) */
    Upstreams(Map<String, UpstreamConfig> configs, Bootstrap template, int loops, UpstreamPipelines pipelines,
            Duration quarantine) {
        this.quarantine = quarantine;
        this.configs = Map.copyOf(configs);
        this.multiplexed = configs.entrySet().stream()
                .filter(entry -> entry.getValue().protocol().multiplexed())
                .map(Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableSet());
        this.pipelines = pipelines;
        this.template = template;
        this.loops = loops;
        configs.forEach((name, config) -> health.put(name, config.endpoints().stream()
                .map(endpoint -> new EndpointHealth(endpoint, config.outlierDetection(), config.healthCheck()))
                .toList()));
    }

    /** The names of the upstreams that speak HTTP/2 ({@code h2c}, {@code h2}): requests are streams there. */
    public Set<String> multiplexed() {
        return multiplexed;
    }

    /** Starts the active health checks of every upstream that has them, on one loop of {@code group}. */
    public void startHealthChecks(EventLoopGroup group) {
        configs.forEach((name, config) -> config.healthCheck().ifPresent(check -> {
            HealthChecker checker = new HealthChecker(config, health.get(name), group.next(), template, pipelines);
            checkers.add(checker);
            checker.start();
        }));
    }

    /** The named upstream's pools for this loop; call it on that loop. */
    public UpstreamCluster cluster(EventLoop loop, String name) {
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
        configs.forEach((name, config) ->
                clusters.put(name, new UpstreamCluster(config, health.get(name), loop, template, loops, pipelines,
                        new ReusePolicy(config.reuse(), quarantine.toNanos()), this::retired)));
        return clusters;
    }

    boolean retired() {
        return retired;
    }

    /**
     * Stops health checks and closes idle connections on every loop; in-use ones close when their
     * exchange gives them back, so reloads never leave idle connections nobody will use behind.
     */
    public void closeIdle() {
        retired = true;
        checkers.forEach(HealthChecker::stop);
        perLoop.forEach((loop, clusters) -> loop.execute(() -> clusters.values().forEach(UpstreamCluster::closeIdle)));
    }
}
