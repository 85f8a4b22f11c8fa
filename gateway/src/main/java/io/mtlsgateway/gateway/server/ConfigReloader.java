package io.mtlsgateway.gateway.server;

import io.mtlsgateway.config.ConfigException;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs reloads one at a time on a dedicated thread (never on an event loop): reads and validates
 * the route file, lets the server build the new state, swaps it in, and on any problem keeps the
 * old state serving, logs every problem and counts the failure.
 *
 * <p>Reading and building run on a build thread and are bounded in time: one that overruns (a
 * file system that hangs, a parser that never ends) is abandoned and counted as failed, what it
 * builds should it ever finish is released unused, and the next reload starts on a fresh thread
 * instead of waiting behind it. Only the swap itself runs on the reload thread.
 */
final class ConfigReloader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConfigReloader.class.getName());
    /** Abandoned builds still running (each holds a thread) beyond which no new one is started. */
    static final int MAX_ABANDONED = 4;

    /** Reads the route file. */
    interface Source {
        GatewayConfig load() throws ConfigException;
    }

    /** Builds the state of a new config without changing what serves, or refuses it with every reason. */
    interface Applier {
        Staged stage(GatewayConfig next) throws ReloadRefusedException;
    }

    /** A new state built and not yet serving. */
    interface Staged {
        /** Swaps it in; runs on the reload thread. */
        void commit();

        /** Releases it unused (the reload was abandoned). */
        void discard();

        /** The host entries that keep their previous TLS state because their new files are unusable. */
        default List<KeptHostEntry> kept() {
            return List.of();
        }
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
    private final Source source;
    private final Applier applier;
    private final GatewayMetrics metrics;
    private final Duration timeLimit;
    private final List<Consumer<ReloadOutcome>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger abandoned = new AtomicInteger();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> daemon(r, "gateway-reload"));
    /** A new thread whenever an abandoned build still holds the previous one. */
    private final ExecutorService builders = Executors.newCachedThreadPool(r -> daemon(r, "gateway-reload-build"));

    /**
     * @param routeFile named in messages
     * @param timeLimit the longest reading and building may take before the reload is abandoned
     */
    ConfigReloader(Path routeFile, Source source, Applier applier, GatewayMetrics metrics, Duration timeLimit) {
        this.routeFile = routeFile;
        this.source = source;
        this.applier = applier;
        this.metrics = metrics;
        this.timeLimit = timeLimit;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
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
        ReloadOutcome outcome = abandoned.get() >= MAX_ABANDONED
                // Each stuck build holds a thread; whatever hangs them would hang this one too.
                ? refused(trigger, List.of(routeFile + ": " + abandoned.get() + " earlier reloads are still stuck"
                        + " reading or building; not starting another until one ends"), true)
                : attempt(trigger);
        for (Consumer<ReloadOutcome> listener : listeners) {
            listener.accept(outcome);
        }
        return outcome;
    }

    private ReloadOutcome attempt(String trigger) {
        ReloadOutcome outcome;
        CompletableFuture<Staged> building = CompletableFuture.supplyAsync(this::build, builders);
        try {
            Staged staged = building.get(timeLimit.toMillis(), TimeUnit.MILLISECONDS);
            staged.commit();
            List<KeptHostEntry> kept = staged.kept();
            outcome = ReloadOutcome.applied(trigger, kept);
            metrics.reloadSucceeded();
            if (kept.isEmpty()) {
                LOG.info(() -> "reload (" + trigger + "): applied; new connections use the new config");
            } else {
                keptEntries(trigger, kept);
            }
        } catch (TimeoutException e) {
            // Whatever it builds, should it ever finish, is released unused.
            abandoned.incrementAndGet();
            building.whenComplete((staged, failure) -> {
                abandoned.decrementAndGet();
                if (staged != null) {
                    staged.discard();
                }
            });
            outcome = refused(trigger, List.of(routeFile + ": reading and building the new config took longer than "
                    + timeLimit.toSeconds() + " s (a file that never ends, a hung file system?); abandoned"), true);
        } catch (ExecutionException e) {
            // A file that does not parse, a key that does not match: the content is to blame. Anything
            // else (a bug, an error no file explains) may not happen again on the same files.
            Throwable cause = e.getCause();
            outcome = refused(trigger, problems(cause),
                    !(cause instanceof ConfigException || cause instanceof ReloadRefusedException));
        } catch (InterruptedException e) {
            // close() interrupts the wait, not the build: what it builds has no server left to serve.
            Thread.currentThread().interrupt();
            discardWhenBuilt(building);
            outcome = refused(trigger, List.of("the gateway is stopping"), false);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "reload failure", e);
            outcome = refused(trigger, List.of(e.toString()), true);
        }
        return outcome;
    }

    /** Each entry that kept its previous state is a failure of its own: logged and counted per entry. */
    private void keptEntries(String trigger, List<KeptHostEntry> kept) {
        StringBuilder message = new StringBuilder("reload (").append(trigger).append("): applied, except for ")
                .append(kept.size()).append(" host entr").append(kept.size() == 1 ? "y" : "ies")
                .append(" whose new files cannot be used; new connections of ").append(kept.size() == 1 ? "it" : "them")
                .append(" are served as before the reload:");
        for (KeptHostEntry entry : kept) {
            metrics.hostReloadFailed(entry.listener(), entry.host());
            message.append("\n  ").append(entry.describe());
        }
        LOG.warning(message.toString());
    }

    /** Releases what {@code building} builds, should it ever finish: it will never be committed. */
    private static void discardWhenBuilt(CompletableFuture<Staged> building) {
        building.whenComplete((staged, failure) -> {
            if (staged != null) {
                staged.discard();
            }
        });
    }

    private Staged build() {
        try {
            return applier.stage(source.load());
        } catch (ConfigException | ReloadRefusedException e) {
            throw new CompletionException(e);
        }
    }

    private static List<String> problems(Throwable failure) {
        if (failure instanceof ConfigException e) {
            return e.problems().stream().map(Object::toString).toList();
        }
        if (failure instanceof ReloadRefusedException e) {
            return e.problems();
        }
        LOG.log(Level.FINE, "reload failure", failure);
        return List.of(String.valueOf(failure));
    }

    private ReloadOutcome refused(String trigger, List<String> problems, boolean retryable) {
        metrics.reloadFailed();
        StringBuilder message = new StringBuilder("reload (").append(trigger)
                .append(") failed; still serving the previous config:");
        problems.forEach(p -> message.append("\n  ").append(p));
        LOG.warning(message.toString());
        return retryable ? ReloadOutcome.refusedForNow(trigger, problems)
                : ReloadOutcome.refusedForContent(trigger, problems);
    }

    @Override
    public void close() {
        thread.shutdownNow();
        builders.shutdownNow();
    }
}
