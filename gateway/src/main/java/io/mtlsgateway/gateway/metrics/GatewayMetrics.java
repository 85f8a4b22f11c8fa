package io.mtlsgateway.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyEventExecutorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.concurrent.EventExecutorGroup;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's meter registry and every meter in it. Meters are created when a listener, route
 * or upstream first appears in a config and kept (with their counts) across reloads; a reload that
 * drops a route or upstream removes its series.
 */
public final class GatewayMetrics implements AutoCloseable {
    /** The {@code route} label of requests no route matched (404) or that were refused before routing. */
    public static final String NO_ROUTE = "none";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, ListenerMetrics> listeners = new ConcurrentHashMap<>();
    private final Map<String, RouteMetrics> routes = new ConcurrentHashMap<>();
    private final Map<String, UpstreamMetrics> upstreams = new ConcurrentHashMap<>();
    private final Map<String, LimitMetrics> limits = new ConcurrentHashMap<>();
    private final Map<String, TunnelMetrics> tunnels = new ConcurrentHashMap<>();
    private final Counter reloadSuccess = reloads("success");
    private final Counter reloadFailure = reloads("failure");
    private final Map<String, Counter> hostReloadFailures = new ConcurrentHashMap<>();
    private final Counter accessLogDropped = Counter.builder("mtls.gateway.access.log.dropped")
            .description("Access log lines dropped because the writer fell behind")
            .register(registry);
    private final WatchMetrics watch = new WatchMetrics(registry);
    private final List<String> upstreamErrorKinds;
    private JvmGcMetrics gc;

    /** @param upstreamErrorKinds every {@code kind} label of the upstream error counter, registered up front */
    public GatewayMetrics(List<String> upstreamErrorKinds) {
        this.upstreamErrorKinds = List.copyOf(upstreamErrorKinds);
        route(NO_ROUTE);
    }

    private Counter reloads(String outcome) {
        return reloads(outcome, "", "");
    }

    /** A whole reload has {@code listener=""} and {@code host=""}; a host entry's own failure names both. */
    private Counter reloads(String outcome, String listener, String host) {
        return Counter.builder("mtls.gateway.config.reloads")
                .description("Config reloads by outcome; a failed one keeps the previous config serving. With"
                        + " listener and host: a host entry that kept its previous TLS state in an applied reload")
                .tag("outcome", outcome)
                .tag("listener", listener)
                .tag("host", host)
                .register(registry);
    }

    /** Adds JVM, process and Netty allocator and event-loop meters. */
    public synchronized void bindRuntime(java.util.Map<String, ? extends EventExecutorGroup> eventLoopGroups) {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            new NettyAllocatorMetrics(provider).bindTo(registry);
        }
        // One binder per group, told apart by a tag: the binder's own gauges would collide otherwise.
        eventLoopGroups.forEach((name, group) ->
                new NettyEventExecutorMetrics(group, io.micrometer.core.instrument.Tags.of("group", name))
                        .bindTo(registry));
    }

    /** The registry, for the admin endpoint's scrape. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public ListenerMetrics listener(String name) {
        return listeners.computeIfAbsent(name, n -> new ListenerMetrics(registry, n));
    }

    /** A listener's tunnel meters. */
    public TunnelMetrics tunnels(String listener) {
        return tunnels.computeIfAbsent(listener, n -> new TunnelMetrics(registry, n));
    }

    /** A listener's limit meters. */
    public LimitMetrics limits(String listener) {
        return limits.computeIfAbsent(listener, n -> new LimitMetrics(registry, n));
    }

    RouteMetrics route(String name) {
        return routes.computeIfAbsent(name, n -> new RouteMetrics(registry, n));
    }

    UpstreamMetrics upstream(String name) {
        return upstreams.computeIfAbsent(name, n -> new UpstreamMetrics(registry, n, upstreamErrorKinds));
    }

    /** Counts a request refused for its token, by a bounded reason label (JwtRejection). */
    public void jwtRejected(String route, String reason) {
        route(route).jwtRejected(reason);
    }

    /** Counts a finished request into its route's meters ({@link #NO_ROUTE} when none matched). */
    public void requestFinished(String route, int status, long durationNanos) {
        requestFinished(route, "http1", status, durationNanos);
    }

    /** @param protocol {@code http1} or {@code h2}, the protocol the client spoke */
    public void requestFinished(String route, String protocol, int status, long durationNanos) {
        route(route).record(protocol, status, durationNanos);
    }

    /** Publishes when an upstream's TLS material expires: its client certificate, CAs and CRLs. */
    public void upstreamCertificates(String upstream, java.util.Optional<java.time.Instant> client,
            java.util.Optional<java.time.Instant> ca, java.util.Optional<java.time.Instant> crl) {
        upstream(upstream).certificates(client, ca, crl);
    }

    /** Counts a request the upstream failed, by a kind label given at construction. */
    public void upstreamError(String upstream, String kind) {
        upstream(upstream).record(kind);
    }

    /**
     * The open-connection and h2-stream counts of an upstream of the config serving (or being
     * loaded): its series exist from the load that named it. For a name no config has, counts no
     * gauge reads, so a late connection of a removed upstream cannot bring its series back.
     */
    public UpstreamOccupancy upstreamOccupancy(String upstream) {
        UpstreamMetrics meters = upstreams.get(upstream);
        return meters == null ? UpstreamOccupancy.detached() : meters.occupancy();
    }

    /** The file watcher's meters. */
    public WatchMetrics watch() {
        return watch;
    }

    public void reloadSucceeded() {
        reloadSuccess.increment();
    }

    public void reloadFailed() {
        reloadFailure.increment();
    }

    /**
     * A reload was applied, but this host entry's new files could not be used: it keeps serving
     * with its previous TLS state. Labels are names from the config (bounded).
     */
    public void hostReloadFailed(String listener, String host) {
        hostReloadFailures.computeIfAbsent(listener + "\u0000" + host, key -> reloads("failure", listener, host))
                .increment();
    }

    /** Counts an access log line dropped because the writer fell behind. */
    public void accessLogDropped() {
        accessLogDropped.increment();
    }

    /**
     * Registers the series of every route and upstream of the config now serving (so a scrape
     * shows zeros, not gaps), and removes those of routes and upstreams it no longer has, so
     * dashboards do not show flat lines for things that are gone.
     */
    public synchronized void track(Set<String> routeNames, Set<String> upstreamNames) {
        routeNames.forEach(this::route);
        upstreamNames.forEach(this::upstream);
        for (String name : List.copyOf(routes.keySet())) {
            if (!name.equals(NO_ROUTE) && !routeNames.contains(name)) {
                routes.remove(name);
                removeTagged("route", name);
            }
        }
        for (String name : List.copyOf(upstreams.keySet())) {
            if (!upstreamNames.contains(name)) {
                upstreams.remove(name);
                removeTagged("upstream", name);
            }
        }
    }

    private void removeTagged(String key, String value) {
        Tag tag = Tag.of(key, value);
        for (Meter meter : List.copyOf(registry.getMeters())) {
            if (meter.getId().getName().startsWith("mtls.gateway.") && meter.getId().getTags().contains(tag)) {
                registry.remove(meter);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (gc != null) {
            gc.close();
        }
        registry.close();
    }
}
