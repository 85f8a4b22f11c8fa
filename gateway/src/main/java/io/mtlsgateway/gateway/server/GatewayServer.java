package io.mtlsgateway.gateway.server;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.LimitsConfig;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.gateway.accesslog.AccessLog;
import io.mtlsgateway.gateway.identity.PeerIdentityCache;
import io.mtlsgateway.gateway.jwt.KeySources;
import io.mtlsgateway.gateway.jwt.TokenPolicies;
import io.mtlsgateway.gateway.metrics.AdminServer;
import io.mtlsgateway.gateway.limits.RequestLimiter;
import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import io.mtlsgateway.gateway.metrics.LimitMetrics;
import io.mtlsgateway.gateway.proxy.ProxyError;
import io.mtlsgateway.gateway.pipeline.ConnectionTracker;
import io.mtlsgateway.gateway.pipeline.AcceptFailureHandler;
import io.mtlsgateway.gateway.pipeline.ListenerInitializer;
import io.mtlsgateway.gateway.pipeline.UpstreamInitializers;
import io.mtlsgateway.gateway.server.ConfigReloader.ReloadRefusedException;
import io.mtlsgateway.gateway.tls.ListenerMaterial.MaterialException;
import io.mtlsgateway.gateway.tls.SessionTicketPolicy;
import io.mtlsgateway.gateway.tls.UpstreamTlsContext;
import io.mtlsgateway.gateway.tls.UpstreamTlsHolder;
import io.mtlsgateway.gateway.proxy.ExchangeObserver;
import io.mtlsgateway.gateway.pipeline.TrustChangedEvent;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * A running gateway: one event-loop group serving every listener, with upstream connections on
 * the same loops, an admin endpoint on its own loop, a file watcher and a reload thread. Built
 * from a validated config; {@link #reload} swaps in a new one, {@link #drain} stops gracefully.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GatewayServer.class.getName());
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);
    private static final Duration WATCH_QUIET_PERIOD = Duration.ofMillis(250);
    private static final Duration WATCH_QUIET_PERIOD_CAP = Duration.ofSeconds(2);
    private static final Duration RELOAD_TIME_LIMIT = Duration.ofSeconds(30);

    /** Whether the file watcher runs; tests that call {@link #reload} themselves switch it off. */
    public enum FileWatching { ON, OFF }

    /** One listener: its bound channel and the state new connections are served with. */
    /** The longest start waits for the first fetch of the JWKS URLs (a fetch times out after 10 s). */
    private static final Duration JWKS_FIRST_FETCH = Duration.ofSeconds(12);

    private record Slot(ListenerConfig config, AtomicReference<ListenerState> state, Channel channel) {}

    private final GatewayMetrics metrics = new GatewayMetrics(ProxyError.upstreamKinds());
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Bootstrap upstreamTemplate;
    private final ThreadPoolExecutor verificationExecutor;
    private final PeerIdentityCache identities = new PeerIdentityCache();
    private final ConnectionTracker connections = new ConnectionTracker();
    private final SessionTicketPolicy tickets = new SessionTicketPolicy();
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    /** Upstream TLS for the whole process: every listener's pools open connections with it. */
    private final UpstreamTlsHolder upstreamTls = new UpstreamTlsHolder();
    /** Every open upstream connection, of current and retired pools alike, to close them at stop. */
    private final io.netty.channel.group.ChannelGroup upstreamChannels =
            new io.netty.channel.group.DefaultChannelGroup("upstreams", io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
    private final UpstreamInitializers upstreamPipelines = new UpstreamInitializers(upstreamTls, upstreamChannels);
    private final ExchangeObserver observer;
    /** Each listener's per-identity counts: kept across reloads, which only change the numbers. */
    private final Map<String, RequestLimiter.State> limitStates = new ConcurrentHashMap<>();
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
        this.upstreamTemplate = new Bootstrap()
                .channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
        int verifiers = Math.max(2, Runtime.getRuntime().availableProcessors());
        // Bounded: under a handshake flood the queue fills and the event loop verifies inline
        // rather than letting memory grow without limit.
        this.verificationExecutor = new ThreadPoolExecutor(verifiers, verifiers, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(4096), new DefaultThreadFactory("gateway-verify", true),
                new ThreadPoolExecutor.CallerRunsPolicy());
        this.observer = new RequestObserver(metrics, accessLog.isPresent() ? accessLog.get()::log : r -> {});
        this.reloader = new ConfigReloader(config.source(), () -> ConfigLoader.load(config.source()), this::stage,
                metrics, RELOAD_TIME_LIMIT);
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
                server.publishUpstreamTls(config, UpstreamTlsLoader.build(config.upstreams()));
            } catch (java.io.IOException e) {
                throw StartException.upstreamMaterial(e);
            }
            server.tokens = server.keySources.policies(config);
            server.keySources.awaitFirstFetches(JWKS_FIRST_FETCH);
            for (ListenerConfig listener : config.listeners()) {
                server.bind(listener, transport);
            }
            server.track(config);
            try {
                server.admin = AdminServer.start(config.admin().listen(), server.metrics, server::ready);
            } catch (Exception e) {
                throw StartException.bind("admin", config.admin().listen(), e);
            }
            server.metrics.bindRuntime(Map.of("io", server.workerGroup, "admin", server.admin.group()));
            if (watching == FileWatching.ON) {
                server.watcher = new FileWatcher(() -> WatchedFiles.of(server.config), () -> server.reload("file change"),
                        WATCH_QUIET_PERIOD, WATCH_QUIET_PERIOD_CAP, server.metrics.watch());
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
                + server.slots.values().stream().map(s -> s.channel().localAddress().toString()).toList()
                + "; admin on " + server.admin.address());
        return server;
    }

    private void bind(ListenerConfig listener, SocketTransport transport) throws Exception {
        ListenerState state;
        try {
            state = build(config, listener);
        } catch (Exception e) {
            throw StartException.material(listener.plaintext() ? "listener " + listener.name()
                    : String.valueOf(listener.tls().certificate()), e);
        }
        state.runtime().upstreams().startHealthChecks(workerGroup);
        AtomicReference<ListenerState> current = new AtomicReference<>(state);
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(bossGroup, workerGroup)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .handler(new AcceptFailureHandler(listener.name()))
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                    .childHandler(new ListenerInitializer(current::get, metrics.listener(listener.name()),
                            connections, verificationExecutor, identities::get, metrics.limits(listener.name())));
            InetSocketAddress address = new InetSocketAddress(listener.listen().host(), listener.listen().port());
            Channel channel;
            try {
                channel = bootstrap.bind(address).syncUninterruptibly().channel();
            } catch (Exception e) {
                throw StartException.bind("listener " + listener.name(), listener.listen(), e);
            }
            slots.put(listener.name(), new Slot(listener, current, channel));
        } catch (Exception | Error e) {
            // A bind failure (port in use) is a checked BindException rethrown as is.
            state.retire();
            throw e;
        }
    }

    /** The listener's per-identity limits in {@code from}, over its lasting state; NONE when it sets none. */
    private RequestLimiter requestLimiter(GatewayConfig from, ListenerConfig listener) {
        Map<String, LimitsConfig> routeLimits = new LinkedHashMap<>();
        from.routes().stream().filter(r -> r.limits().limitsRequests())
                .forEach(r -> routeLimits.put(r.name(), r.limits()));
        if (!listener.limits().limitsRequests() && routeLimits.isEmpty()) {
            return RequestLimiter.NONE;
        }
        RequestLimiter.State state = limitStates.computeIfAbsent(listener.name(), name -> {
            RequestLimiter.State fresh = new RequestLimiter.State();
            metrics.limits(name).track(LimitMetrics.Tier.IDENTITY, fresh::size);
            return fresh;
        });
        LimitMetrics counted = metrics.limits(listener.name());
        return new RequestLimiter(listener.limits(), routeLimits, state, counted::refused);
    }

    private ListenerState build(GatewayConfig from, ListenerConfig listener) throws Exception {
        ListenerState state = ListenerState.build(from, listener, upstreamTemplate, observer, upstreamPipelines,
                tokens, requestLimiter(from, listener), tickets);
        publishExpiry(listener, state);
        return state;
    }

    private void publishExpiry(ListenerConfig listener, ListenerState state) {
        if (state.material() != null) {
            metrics.listener(listener.name()).certificates(state.material().serverNotAfter(),
                    state.material().earliestCaNotAfter(), state.material().earliestCrlNextUpdate());
        }
        publishHostCertificates(listener.name(), state);
    }

    /** The expiry gauges of each host entry, on a listener with hosts. */
    private void publishHostCertificates(String listener, ListenerState state) {
        state.virtualHosts().ifPresent(hosts -> state.faces().forEach(face -> face.host().ifPresent(label ->
                metrics.listener(listener).host(label).certificates(face.material().serverNotAfter(),
                        face.material().earliestCaNotAfter(), face.material().earliestCrlNextUpdate()))));
    }

    /** Makes {@code built} the upstream TLS of new connections, and publishes its expiry dates. */
    private void publishUpstreamTls(GatewayConfig from, Map<String, UpstreamTlsContext> built) {
        Map<String, UpstreamTlsContext> now = upstreamTls.swap(built);
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

    /** Where a listener is bound (useful when the config asked for port 0). */
    public InetSocketAddress address(String listenerName) {
        Slot slot = slots.get(listenerName);
        if (slot == null) {
            throw new IllegalArgumentException("no listener named " + listenerName);
        }
        return (InetSocketAddress) slot.channel().localAddress();
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

    /** Runs on a reload build thread: builds, changes nothing yet. */
    private ConfigReloader.Staged stage(GatewayConfig next) throws ReloadRefusedException {
        List<String> refused = listenerSetChanges(config, next);
        if (!refused.isEmpty()) {
            throw new ReloadRefusedException(refused);
        }
        Map<String, ListenerState> built = new LinkedHashMap<>();
        Map<String, UpstreamTlsContext> upstreams = Map.of();
        TokenPolicies nextTokens;
        try {
            upstreams = UpstreamTlsLoader.build(next.upstreams());
            nextTokens = keySources.policies(next);
            for (ListenerConfig listener : next.listeners()) {
                built.put(listener.name(), ListenerState.build(next, listener, upstreamTemplate, observer,
                        upstreamPipelines, nextTokens, requestLimiter(next, listener), tickets));
            }
        } catch (Exception e) {
            built.values().forEach(ListenerState::retire);
            upstreams.values().forEach(UpstreamTlsContext::release);
            throw new ReloadRefusedException(e instanceof MaterialException m ? m.problems()
                    : e instanceof UpstreamTlsLoader.UpstreamMaterialException u ? u.problems()
                    : List.of(String.valueOf(e.getMessage())));
        }
        Map<String, UpstreamTlsContext> staged = upstreams;
        return new ConfigReloader.Staged() {
            @Override
            public void commit() {
                awaitRechecks(swapIn(next, built, staged));
            }

            @Override
            public void discard() {
                built.values().forEach(ListenerState::retire);
                staged.values().forEach(UpstreamTlsContext::release);
            }
        };
    }

    /**
     * The reload is done when every open connection has re-checked its client against the new
     * trust material (a revoked client's connection then closes after its request).
     */
    private static void awaitRechecks(List<CompletableFuture<Void>> rechecked) {
        try {
            CompletableFuture.allOf(rechecked.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warning(() -> "reload: open connections did not all re-check their client in time: " + e);
        }
    }

    /**
     * Validated whole: only now does anything change. Synchronized with {@link #close()}, so a
     * reload that finishes while the server stops releases what it built instead of leaking it.
     */
    private synchronized List<CompletableFuture<Void>> swapIn(GatewayConfig next, Map<String, ListenerState> built,
            Map<String, UpstreamTlsContext> upstreams) {
        List<CompletableFuture<Void>> rechecked = new ArrayList<>();
        if (closed) {
            built.values().forEach(ListenerState::retire);
            upstreams.values().forEach(UpstreamTlsContext::release);
            return rechecked;
        }
        // First the upstream TLS: the new listener states' pools, and the old ones still serving
        // open connections, make every new upstream connection with it from now on.
        publishUpstreamTls(next, upstreams);
        for (ListenerConfig listener : next.listeners()) {
            ListenerState fresh = built.get(listener.name());
            fresh.runtime().upstreams().startHealthChecks(workerGroup);
            publishExpiry(listener, fresh);
            ListenerState previous = slots.get(listener.name()).state().getAndSet(fresh);
            List<TrustChangedEvent> trustChanges = fresh.trustChangesSince(previous);
            previous.retire();
            trustChanges.forEach(change -> rechecked.add(connections.broadcast(change)));
        }
        track(next);
        warnAboutRestartOnlyKeys(config, next);
        config = next;
        keySources.retain(next.jwt());
        return rechecked;
    }

    private void track(GatewayConfig from) {
        metrics.track(from.routes().stream().map(RouteConfig::name).collect(java.util.stream.Collectors.toSet()),
                from.upstreams().keySet());
    }

    /** Listeners are sockets: adding, removing or moving one needs a restart. */
    private static List<String> listenerSetChanges(GatewayConfig before, GatewayConfig after) {
        Map<String, ListenerConfig> old = new LinkedHashMap<>();
        before.listeners().forEach(l -> old.put(l.name(), l));
        Set<String> names = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        for (ListenerConfig listener : after.listeners()) {
            names.add(listener.name());
            ListenerConfig previous = old.get(listener.name());
            if (previous == null) {
                problems.add("listener '" + listener.name() + "' was added: adding a listener needs a restart");
            } else if (!previous.listen().equals(listener.listen())) {
                problems.add("listener '" + listener.name() + "' moved from " + previous.listen() + " to "
                        + listener.listen() + ": changing a listen address needs a restart");
            } else if (previous.plaintext() != listener.plaintext()) {
                problems.add("listener '" + listener.name() + "' switched between TLS and tls: none: that needs a"
                        + " restart");
            }
        }
        for (String name : old.keySet()) {
            if (!names.contains(name)) {
                problems.add("listener '" + name + "' was removed: removing a listener needs a restart");
            }
        }
        return problems;
    }

    private static void warnAboutRestartOnlyKeys(GatewayConfig before, GatewayConfig after) {
        List<String> keys = new ArrayList<>();
        if (before.workers() != after.workers()) {
            keys.add("workers");
        }
        if (before.transport() != after.transport()) {
            keys.add("transport");
        }
        if (!before.admin().equals(after.admin())) {
            keys.add("admin");
        }
        if (!before.accessLog().equals(after.accessLog())) {
            keys.add("accessLog");
        }
        if (!keys.isEmpty()) {
            LOG.warning(() -> "reload: changes to " + keys + " take effect at the next restart");
        }
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
        LOG.info(() -> "draining: " + connections.size() + " open connection(s), up to " + timeout);
        CompletableFuture<Void> drained = connections.drain();
        slots.values().forEach(slot -> slot.channel().close().syncUninterruptibly());
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
        slots.values().forEach(slot -> slot.channel().close().syncUninterruptibly());
        connections.closeAll();
        slots.values().forEach(slot -> slot.state().get().runtime().upstreams().closeIdle());
        // Retired pools may still hold connections: close them while the loops run, so each
        // pipeline (and its TLS engine) is torn down rather than abandoned with the loop.
        upstreamChannels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        verificationExecutor.shutdownNow();
        tickets.close();
        // The pools went with the event loops; only the contexts are left to release.
        slots.values().forEach(slot -> slot.state().get().releaseContexts());
        upstreamTls.close();
        if (admin != null) {
            admin.close();
        }
        accessLog.ifPresent(AccessLog::close);
        keySources.close();
        metrics.close();
    }
}
