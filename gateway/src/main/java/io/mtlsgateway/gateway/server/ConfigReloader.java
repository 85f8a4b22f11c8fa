package io.mtlsgateway.gateway.server;

import io.mtlsgateway.config.ConfigException;
import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs reloads one at a time on a dedicated thread (never on an event loop): reads and validates
 * the route file, lets the server build and swap the new state, and on any problem keeps the old
 * state serving, logs every problem and counts the failure.
 */
final class ConfigReloader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConfigReloader.class.getName());

    /** Builds and swaps in a new config, or refuses it with every reason. */
    interface Applier {
        void apply(GatewayConfig next) throws ReloadRefusedException;
    }

    /** A config that was read fine but cannot be applied. */
    static final class ReloadRefusedException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient List<String> problems;

        ReloadRefusedException(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        List<String> problems() {
            return problems;
        }
    }

    private final Path routeFile;
    private final Applier applier;
    private final GatewayMetrics metrics;
    private final List<Consumer<ReloadOutcome>> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gateway-reload");
        t.setDaemon(true);
        return t;
    });

    ConfigReloader(Path routeFile, Applier applier, GatewayMetrics metrics) {
        this.routeFile = routeFile;
        this.applier = applier;
        this.metrics = metrics;
    }

    void addListener(Consumer<ReloadOutcome> listener) {
        listeners.add(listener);
    }

    /** Queues a reload; the future completes when it has been applied or refused. */
    CompletableFuture<ReloadOutcome> reload(String trigger) {
        return CompletableFuture.supplyAsync(() -> run(trigger), thread);
    }

    private ReloadOutcome run(String trigger) {
        LOG.info(() -> "reload (" + trigger + "): reading " + routeFile);
        ReloadOutcome outcome;
        try {
            GatewayConfig next = ConfigLoader.load(routeFile);
            applier.apply(next);
            outcome = new ReloadOutcome(trigger, List.of());
            metrics.reloadSucceeded();
            LOG.info(() -> "reload (" + trigger + "): applied; new connections use the new config");
        } catch (ConfigException e) {
            outcome = refused(trigger, e.problems().stream().map(Object::toString).toList());
        } catch (ReloadRefusedException e) {
            outcome = refused(trigger, e.problems());
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "reload failure", e);
            outcome = refused(trigger, List.of(e.toString()));
        }
        for (Consumer<ReloadOutcome> listener : listeners) {
            listener.accept(outcome);
        }
        return outcome;
    }

    private ReloadOutcome refused(String trigger, List<String> problems) {
        metrics.reloadFailed();
        StringBuilder message = new StringBuilder("reload (").append(trigger)
                .append(") failed; still serving the previous config:");
        problems.forEach(p -> message.append("\n  ").append(p));
        LOG.warning(message.toString());
        return new ReloadOutcome(trigger, problems);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
