package io.mtlsgateway.gateway.server;

import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.LimitsConfig;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.gateway.jwt.TokenPolicies;
import io.mtlsgateway.gateway.limits.RequestLimiter;
import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import io.mtlsgateway.gateway.metrics.LimitMetrics;
import io.mtlsgateway.gateway.pipeline.AcceptFailureHandler;
import io.mtlsgateway.gateway.pipeline.ConnectionTracker;
import io.mtlsgateway.gateway.pipeline.ListenerInitializer;
import io.mtlsgateway.gateway.pipeline.TrustChangedEvent;
import io.mtlsgateway.gateway.proxy.ExchangeObserver;
import io.mtlsgateway.gateway.server.ConfigReloader.ReloadRefusedException;
import io.mtlsgateway.gateway.tls.ListenerMaterial.MaterialException;
import io.mtlsgateway.gateway.tls.SessionTicketPolicy;
import io.mtlsgateway.gateway.upstream.UpstreamPipelines;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gateway's bound listeners, each with the {@link BuiltListenerSnapshot} new connections are served
 * with: binds them at start, builds every listener's next state for a reload, swaps it in, and
 * releases them at the end. The server decides when; this class does it.
 */
final class Listeners {
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    /** One listener: its bound channel and the state new connections are served with. */
    private record Slot(AtomicReference<BuiltListenerSnapshot> state, Channel channel) {}

    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Bootstrap upstreamTemplate;
    private final Executor verificationExecutor;
    private final ExchangeObserver observer;
    private final GatewayMetrics metrics;
    private final ConnectionTracker connections;
    private final SessionTicketPolicy tickets;
    private final UpstreamPipelines pipelines;
    /** Per-identity limit state of each listener, kept across reloads so a reload resets no budget. */
    private final Map<String, RequestLimiter.State> limitStates = new ConcurrentHashMap<>();

    Listeners(EventLoopGroup bossGroup, EventLoopGroup workerGroup, Bootstrap upstreamTemplate,
            Executor verificationExecutor, ExchangeObserver observer, GatewayMetrics metrics,
            ConnectionTracker connections, SessionTicketPolicy tickets, UpstreamPipelines pipelines) {
        this.tickets = tickets;
        this.pipelines = pipelines;
        this.bossGroup = bossGroup;
        this.workerGroup = workerGroup;
        this.upstreamTemplate = upstreamTemplate;
        this.verificationExecutor = verificationExecutor;
        this.observer = observer;
        this.metrics = metrics;
        this.connections = connections;
    }

    /** Builds a listener from {@code config} and binds it; nothing of it is left running on failure. */
    void bind(GatewayConfig config, ListenerConfig listener, SocketTransport transport, TokenPolicies tokens)
            throws StartException {
        BuiltListenerSnapshot state;
        try {
            state = build(config, listener, tokens, Optional.empty());
            certificates(listener.name(), state);
        } catch (Exception e) {
            throw StartException.material(listener.plaintext() ? "listener " + listener.name()
                    : String.valueOf(listener.tls().certificate()), e);
        }
        state.httpStage().upstreams().startHealthChecks(workerGroup);
        AtomicReference<BuiltListenerSnapshot> current = new AtomicReference<>(state);
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(bossGroup, workerGroup)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .handler(new AcceptFailureHandler(listener.name()))
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                    .childHandler(new ListenerInitializer(current::get, metrics.listener(listener.name()),
                            connections, verificationExecutor, metrics.limits(listener.name())));
            InetSocketAddress address = new InetSocketAddress(listener.listen().host(), listener.listen().port());
            Channel channel;
            try {
                channel = bootstrap.bind(address).syncUninterruptibly().channel();
            } catch (Exception e) {
                throw StartException.bind("listener " + listener.name(), listener.listen(), e);
            }
            slots.put(listener.name(), new Slot(current, channel));
        } catch (RuntimeException | Error | StartException e) {
            state.retire();
            throw e;
        }
    }

    private BuiltListenerSnapshot build(GatewayConfig from, ListenerConfig listener, TokenPolicies tokens,
            Optional<BuiltListenerSnapshot> previous) throws Exception {
        return BuiltListenerSnapshot.build(from, listener, upstreamTemplate, observer, pipelines, tokens,
                requestLimiter(from, listener), tickets, previous);
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

    /**
     * Every listener's next state, built off the event loops; on failure nothing is kept. A host
     * entry whose new files cannot be used keeps its current TLS state instead of failing the
     * build (each built state's {@link BuiltListenerSnapshot#kept()} names them).
     */
    Map<String, BuiltListenerSnapshot> buildAll(GatewayConfig next, TokenPolicies tokens) throws ReloadRefusedException {
        Map<String, BuiltListenerSnapshot> built = new LinkedHashMap<>();
        try {
            for (ListenerConfig listener : next.listeners()) {
                Slot slot = slots.get(listener.name());
                built.put(listener.name(), build(next, listener, tokens,
                        slot == null ? Optional.empty() : Optional.of(slot.state().get())));
            }
        } catch (Exception e) {
            built.values().forEach(BuiltListenerSnapshot::retire);
            throw new ReloadRefusedException(e instanceof MaterialException m ? m.problems()
                    : List.of(String.valueOf(e.getMessage())));
        }
        return built;
    }

    /**
     * New connections get the built states from now on; the old ones are retired.
     *
     * @return one future per listener whose client trust changed: done when its open connections
     *     have re-checked their client
     */
    List<CompletableFuture<Void>> swapIn(Map<String, BuiltListenerSnapshot> built) {
        List<CompletableFuture<Void>> rechecked = new ArrayList<>();
        built.forEach((name, fresh) -> {
            fresh.httpStage().upstreams().startHealthChecks(workerGroup);
            BuiltListenerSnapshot previous = slots.get(name).state().getAndSet(fresh);
            certificates(name, fresh);
            List<TrustChangedEvent> trustChanges = TrustChanges.between(previous, fresh);
            previous.retire();
            trustChanges.forEach(change -> rechecked.add(connections.broadcast(change)));
        });
        return rechecked;
    }

    private void certificates(String name, BuiltListenerSnapshot state) {
        if (state.material() != null) { // a plain-HTTP listener has no certificates
            metrics.listener(name).certificates(state.material().serverNotAfter(),
                    state.material().earliestCaNotAfter(), state.material().earliestCrlNextUpdate());
        }
        // The expiry gauges of each host entry, on a listener with hosts.
        state.virtualHosts().ifPresent(hosts -> state.faces().forEach(face -> face.host().ifPresent(label ->
                metrics.listener(name).host(label).certificates(face.material().serverNotAfter(),
                        face.material().earliestCaNotAfter(), face.material().earliestCrlNextUpdate()))));
    }

    /** Where a listener is bound (useful when the config asked for port 0). */
    InetSocketAddress address(String name) {
        Slot slot = slots.get(name);
        if (slot == null) {
            throw new IllegalArgumentException("no listener named " + name);
        }
        return (InetSocketAddress) slot.channel().localAddress();
    }

    List<String> addresses() {
        return slots.values().stream().map(s -> s.channel().localAddress().toString()).toList();
    }

    /** Stops accepting. */
    void closeChannels() {
        slots.values().forEach(slot -> slot.channel().close().syncUninterruptibly());
    }

    /** Closes idle upstream connections; in-use ones close when their exchange ends. */
    void closeIdleUpstreams() {
        slots.values().forEach(slot -> slot.state().get().httpStage().upstreams().closeIdle());
    }

    /** Releases the TLS contexts (after the event loops are gone). */
    void releaseContexts() {
        slots.values().forEach(slot -> slot.state().get().releaseContexts());
    }
}
