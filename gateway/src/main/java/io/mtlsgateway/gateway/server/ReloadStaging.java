package io.mtlsgateway.gateway.server;

import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.gateway.jwt.KeySources;
import io.mtlsgateway.gateway.jwt.TokenPolicies;
import io.mtlsgateway.gateway.server.ConfigReloader.ReloadRefusedException;
import io.mtlsgateway.gateway.tls.UpstreamTlsContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The building half of a reload, on a reload build thread: the diff against the running config,
 * the upstream TLS material, the token policies and every listener's new state, with nothing
 * swapped in yet. A commit hands it all to the {@link SwapIn} (the server's lifecycle); a discard
 * releases it.
 */
final class ReloadStaging implements ConfigReloader.Applier {
    private static final Logger LOG = Logger.getLogger(ReloadStaging.class.getName());
    /** How long a commit waits for the open connections to re-check their clients. */
    private static final long RECHECK_WAIT_SECONDS = 10;

    /** Puts what a reload built in service; returns one future per open connection's re-check. */
    interface SwapIn {
        List<CompletableFuture<Void>> swapIn(GatewayConfig next, Map<String, BuiltListenerSnapshot> built, ReloadDiff diff,
                Map<String, UpstreamTlsContext> upstreams);
    }

    private final Supplier<GatewayConfig> running;
    private final Listeners listeners;
    private final KeySources keySources;
    private final SwapIn swap;

    /** @param running the config serving now, which the new one is compared with */
    ReloadStaging(Supplier<GatewayConfig> running, Listeners listeners, KeySources keySources, SwapIn swap) {
        this.running = running;
        this.listeners = listeners;
        this.keySources = keySources;
        this.swap = swap;
    }

    /** Builds, changes nothing yet. */
    @Override
    public ConfigReloader.Staged stage(GatewayConfig next) throws ReloadRefusedException {
        ReloadDiff diff = ReloadDiff.between(running.get(), next);
        if (!diff.refused().isEmpty()) {
            throw new ReloadRefusedException(diff.refused());
        }
        Map<String, UpstreamTlsContext> upstreams = Map.of();
        TokenPolicies nextTokens;
        try {
            upstreams = UpstreamTlsLoader.build(next.upstreams());
            nextTokens = keySources.policies(next);
        } catch (Exception e) {
            upstreams.values().forEach(UpstreamTlsContext::release);
            throw new ReloadRefusedException(e instanceof UpstreamTlsLoader.UpstreamMaterialException u ? u.problems()
                    : List.of(String.valueOf(e.getMessage())));
        }
        Map<String, BuiltListenerSnapshot> built;
        try {
            built = listeners.buildAll(next, nextTokens);
        } catch (ReloadRefusedException e) {
            upstreams.values().forEach(UpstreamTlsContext::release);
            throw e;
        }
        Map<String, UpstreamTlsContext> staged = upstreams;
        return new ConfigReloader.Staged() {
            @Override
            public void commit() {
                awaitRechecks(swap.swapIn(next, built, diff, staged));
            }

            @Override
            public void discard() {
                built.values().forEach(BuiltListenerSnapshot::retire);
                staged.values().forEach(UpstreamTlsContext::release);
            }

            @Override
            public List<KeptHostEntry> kept() {
                return built.values().stream().flatMap(state -> state.kept().stream()).toList();
            }
        };
    }

    /**
     * The reload is done when every open connection has re-checked its client against the new
     * trust material (a revoked client's connection then closes after its request).
     */
    private static void awaitRechecks(List<CompletableFuture<Void>> rechecked) {
        try {
            CompletableFuture.allOf(rechecked.toArray(CompletableFuture[]::new)).get(RECHECK_WAIT_SECONDS,
                    TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warning(() -> "reload: open connections did not all re-check their client in time: " + e);
        }
    }
}
