package io.mtlsgateway.gateway.server;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.gateway.accesslog.AccessLog;
import io.mtlsgateway.gateway.jwt.KeySources;
import io.mtlsgateway.gateway.jwt.TokenPolicies;
import io.mtlsgateway.gateway.metrics.AdminServer;
import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import io.mtlsgateway.gateway.proxy.ProxyError;
import io.mtlsgateway.gateway.pipeline.ConnectionTracker;
import io.mtlsgateway.gateway.tls.SessionTicketPolicy;
import io.mtlsgateway.gateway.tls.UpstreamTlsContext;
import io.mtlsgateway.gateway.proxy.ExchangeObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * A running gateway: one event-loop group serving every listener, with upstream connections on
 * the same loops, an admin endpoint on its own loop, a file watcher and a reload thread. Built
 * from a validated config; {@link #reload} swaps in a new one, {@link #drain} stops gracefully.
 * Lifecycle only: what a reload may change is {@link ReloadDiff}'s, building a reload's state
 * {@link ReloadStaging}'s, the listeners are {@link Listeners}', each listener's objects
 * {@link BuiltListenerSnapshot}'s, what upstream connections share {@link UpstreamSide}'s.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GatewayServer.class.getName());
    /** Quiet period and its cap; a refused reload that may pass is tried again after 1 s, 2 s, ... up to 1 min. */
    private static final FileWatcher.Timing WATCH_TIMING = new FileWatcher.Timing(Duration.ofMillis(250),
            Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMinutes(1));
    private static final Duration RELOAD_TIME_LIMIT = Duration.ofSeconds(30);

    /** Whether the file watcher runs; tests that call {@link #reload} themselves switch it off. */
    public enum FileWatching { ON, OFF }

    /** The longest start waits for the first fetch of the JWKS URLs (a fetch times out after 10 s). */
    private static final Duration JWKS_FIRST_FETCH = Duration.ofSeconds(12);

    private final GatewayMetrics metrics = new GatewayMetrics(ProxyError.upstreamKinds());
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final ThreadPoolExecutor verificationExecutor;
    private final ConnectionTracker connections = new ConnectionTracker();
    private final SessionTicketPolicy tickets = new SessionTicketPolicy();
    private final UpstreamSide upstreams;
    private final Listeners listeners;
    private final ExchangeObserver observer;
    /** Each listener's per-identity counts: kept across reloads, which only change the numbers. */
    private final Optional<AccessLog> accessLog;
    private final ConfigReloader reloader;
    private final KeySources keySources = new KeySources();
    /** The token policies the listeners start with (a reload builds its own). */
    private TokenPolicies tokens = TokenPolicies.NONE;
    private volatile GatewayConfig config;
    private volatile boolean ready;
    private AdminServer admin;
    private FileWatcher watcher;
    private boolean closed;

    private GatewayServer(GatewayConfig config, SocketTransport transport) throws Exception {
        this.config = config;
        // First: a log that cannot be opened then leaves no event loop behind.
        this.accessLog = openAccessLog(config);
        this.bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gateway-accept", true),
                transport.ioHandlerFactory());
        this.workerGroup = new MultiThreadIoEventLoopGroup(config.workers(),
                new DefaultThreadFactory("gateway-io", true), transport.ioHandlerFactory());
        this.upstreams = new UpstreamSide(transport, metrics);
        this.verificationExecutor = VerificationExecutor.create();
        this.observer = new RequestObserver(metrics, accessLog.isPresent() ? accessLog.get()::log : r -> {});
        this.listeners = new Listeners(bossGroup, workerGroup, upstreams.template(), verificationExecutor, observer,
                metrics, connections, tickets, upstreams.pipelines());
        this.reloader = new ConfigReloader(config.source(), () -> ConfigLoader.load(config.source()),
                new ReloadStaging(() -> this.config, listeners, keySources, this::swapIn), metrics, RELOAD_TIME_LIMIT);
    }

    private Optional<AccessLog> openAccessLog(GatewayConfig from) throws StartException {
        try {
            return AccessLog.open(from.accessLog(), metrics::accessLogDropped);
        } catch (java.io.IOException e) {
            throw StartException.accessLog(from.accessLog().file().map(Object::toString).orElse("stdout"), e);
        }
    }

    /**
     * Binds every listener and the admin endpoint, starts watching the files, and serves.
     *
     * @throws StartException when a file cannot be loaded or an address cannot be bound, each
     *     problem one line naming the file or address; nothing is left running then
     */
    public static GatewayServer start(GatewayConfig config) throws Exception {
        return start(config, FileWatching.ON);
    }

    /** As {@link #start(GatewayConfig)}, with the file watcher on or off. */
    public static GatewayServer start(GatewayConfig config, FileWatching watching) throws Exception {
        SocketTransport transport = SocketTransport.select(config.transport());
        GatewayServer server;
        try {
            server = new GatewayServer(config, transport);
        } catch (Exception e) {
            throw StartException.other(e);
        }
        try {
            try {
                server.upstreams.publish(config, UpstreamTlsLoader.build(config.upstreams()));
            } catch (java.io.IOException e) {
                throw StartException.upstreamMaterial(e);
            }
            server.tokens = server.keySources.policies(config);
            server.keySources.awaitFirstFetches(JWKS_FIRST_FETCH);
            for (ListenerConfig listener : config.listeners()) {
                server.listeners.bind(config, listener, transport, server.tokens);
            }
            server.track(config);
            try {
                server.admin = AdminServer.start(config.admin().listen(), server.metrics, server::ready);
            } catch (Exception e) {
                throw StartException.bind("admin", config.admin().listen(), e);
            }
            server.metrics.bindRuntime(Map.of("io", server.workerGroup, "admin", server.admin.group()));
            if (watching == FileWatching.ON) {
                server.watcher = new FileWatcher(WatchedFiles.of(() -> server.config), server::reload, WATCH_TIMING,
                        server.metrics.watch());
                server.watcher.start();
            }
            server.ready = true;
        } catch (Exception e) {
            server.close();
            throw StartException.other(e);
        } catch (Error e) {
            server.close();
            throw e;
        }
        LOG.info(() -> "transport " + transport.name() + ", " + config.workers() + " event loop(s); listening on "
                + server.listeners.addresses()
                + "; admin on " + server.admin.address());
        return server;
    }

    /** Where a listener is bound (useful when the config asked for port 0). */
    public InetSocketAddress address(String listenerName) {
        return listeners.address(listenerName);
    }

    /** Where the admin endpoint is bound. */
    public InetSocketAddress adminAddress() {
        return admin.address();
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /**
     * Whether {@code /readyz} says ready: listeners bound, certificates loaded, every issuer a
     * route requires a token from has produced a key set, not draining.
     */
    public boolean ready() {
        return ready && !connections.draining() && keySources.ready(config);
    }

    /**
     * Re-reads the route file and every file it references, off the event loops, and swaps the
     * new state in for new connections; a config that cannot be used leaves the old one serving.
     * SIGHUP and the file watcher both come here.
     */
    public CompletableFuture<ReloadOutcome> reload(String trigger) {
        return reloader.reload(trigger);
    }

    /** Told about every reload as it ends (tests wait on file-triggered reloads with this). */
    public void onReload(Consumer<ReloadOutcome> listener) {
        reloader.addListener(listener);
    }

    /**
     * A reload's built state ({@link ReloadStaging}), validated whole: only now does anything
     * change. Synchronized with {@link #close()}, so a
     * reload that finishes while the server stops releases what it built instead of leaking it.
     */
    private synchronized List<CompletableFuture<Void>> swapIn(GatewayConfig next, Map<String, BuiltListenerSnapshot> built,
            ReloadDiff diff, Map<String, UpstreamTlsContext> upstreamTls) {
        if (closed) {
            built.values().forEach(BuiltListenerSnapshot::retire);
            upstreamTls.values().forEach(UpstreamTlsContext::release);
            return List.of();
        }
        // First the upstream TLS: the new listener states' pools, and the old ones still serving
        // open connections, make every new upstream connection with it from now on.
        upstreams.publish(next, upstreamTls);
        List<CompletableFuture<Void>> rechecked = listeners.swapIn(built);
        track(next);
        if (!diff.restartOnly().isEmpty()) {
            LOG.warning(() -> "reload: changes to " + diff.restartOnly() + " take effect at the next restart");
        }
        config = next;
        keySources.retain(next.jwt());
        return rechecked;
    }

    private void track(GatewayConfig from) {
        metrics.track(from.routes().stream().map(RouteConfig::name).collect(java.util.stream.Collectors.toSet()),
                from.upstreams().keySet());
    }

    /**
     * Stops gracefully, as SIGTERM asks: {@code /readyz} turns 503, the listeners stop accepting,
     * idle connections close, busy ones answer their in-flight request with {@code Connection:
     * close}; whatever is still open after {@code drainTimeout} is closed.
     *
     * @return whether every connection finished within the timeout
     */
    public boolean drain() {
        Duration timeout = config.drainTimeout();
        int open = connections.size();
        // Not ready from here on: whoever reads the line below (an operator, a test) finds /readyz at 503.
        CompletableFuture<Void> drained = connections.drain();
        LOG.info(() -> "draining: " + open + " open connection(s), up to " + timeout);
        listeners.closeChannels();
        try {
            drained.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("drained: every in-flight request was answered");
            return true;
        } catch (TimeoutException e) {
            LOG.warning(() -> "drain timeout: closing " + connections.size() + " connection(s) still open");
            connections.closeAll();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connections.closeAll();
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Releases every resource at once (after {@link #drain()} for a graceful stop). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ready = false;
        if (watcher != null) {
            watcher.close();
        }
        reloader.close();
        listeners.closeChannels();
        connections.closeAll();
        listeners.closeIdleUpstreams();
        // Retired pools may still hold connections: closed while the loops run.
        upstreams.closeConnections();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        verificationExecutor.shutdownNow();
        tickets.close();
        // The pools went with the event loops; only the contexts are left to release.
        listeners.releaseContexts();
        upstreams.releaseContexts();
        if (admin != null) {
            admin.close();
        }
        accessLog.ifPresent(AccessLog::close);
        keySources.close();
        metrics.close();
    }
}
