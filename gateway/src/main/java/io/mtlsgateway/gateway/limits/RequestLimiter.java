package io.mtlsgateway.gateway.limits;

import io.mtlsgateway.config.LimitsConfig;
import io.mtlsgateway.config.RequestLimits;
import io.mtlsgateway.gateway.identity.PeerIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The per-identity limits of one listener as one config snapshot sets them (the listener's and
 * each route's), over state that outlives the snapshot: a reload changes the numbers, never the
 * counts. A client is its SPIFFE ID, else its certificate fingerprint; every request without a
 * certificate shares one explicit bucket, never an exemption.
 */
public final class RequestLimiter {
    /** No limits: nothing is counted. */
    public static final RequestLimiter NONE = new RequestLimiter(LimitsConfig.NONE, Map.of(), new State(), r -> {});
    /** The key of the one bucket of requests without a client certificate. */
    static final String ANONYMOUS = "";

    private final LimitsConfig listener;
    private final Map<String, LimitsConfig> routes;
    private final State state;
    private final Consumer<LimitReason> refusals;

    /** What outlives a snapshot: one listener's tables. */
    public static final class State {
        private final IdentityLimiter listener = new IdentityLimiter();
        private final Map<String, IdentityLimiter> routes = new ConcurrentHashMap<>();

        /** Client keys remembered, over the listener's and every route's table. */
        public int size() {
            return listener.size() + routes.values().stream().mapToInt(IdentityLimiter::size).sum();
        }
    }

    /**
     * @param routes each route's own limits, by route name (routes without any left out)
     * @param refusals told each refusal's reason
     */
    public RequestLimiter(LimitsConfig listener, Map<String, LimitsConfig> routes, State state,
            Consumer<LimitReason> refusals) {
        this.listener = listener;
        this.routes = Map.copyOf(routes);
        this.state = state;
        this.refusals = refusals;
    }

    /** Whether anything is limited: when not, the request path asks nothing. */
    public boolean active() {
        return listener.limitsRequests() || !routes.isEmpty();
    }

    private static Optional<RequestLimits> limitsFor(LimitsConfig config, PeerIdentity identity) {
        return identity == null ? config.withoutIdentity() : config.perIdentity();
    }

    private static String key(PeerIdentity identity) {
        return identity == null ? ANONYMOUS : identity.spiffe().orElse(identity.fingerprint());
    }

    /** A connection counted against its client's cap; {@link #close} it when the connection closes. */
    public final class Connection {
        private final IdentityLimiter.Entry entry;
        private final RequestLimits limits;
        private final boolean admitted;

        private Connection(IdentityLimiter.Entry entry, RequestLimits limits, boolean admitted) {
            this.entry = entry;
            this.limits = limits;
            this.admitted = admitted;
        }

        /** Whether the client was within its connection cap; if not, its requests get 429. */
        public boolean admitted() {
            return admitted;
        }

        public void close() {
            if (admitted && entry != null) {
                entry.disconnected(limits);
            }
        }
    }

    /** Counts a new connection of {@code identity} (null: no certificate). */
    public Connection open(PeerIdentity identity) {
        Optional<RequestLimits> limits = limitsFor(listener, identity);
        if (limits.isEmpty() || limits.get().connections() == 0) {
            return new Connection(null, null, true);
        }
        IdentityLimiter.Entry entry = state.listener.entry(key(identity), listener.maxTracked(), System.nanoTime());
        boolean admitted = entry.tryConnect(limits.get());
        if (!admitted) {
            refusals.accept(LimitReason.CONNECTIONS);
        }
        return new Connection(entry, limits.get(), admitted);
    }

    /**
     * The decision on one request: admitted (then {@link #done} once it is finished), or refused
     * with a reason and the seconds after which to retry.
     */
    public static final class Admission {
        private final List<Runnable> releases;
        private final LimitReason refused;
        private final long retryAfterSeconds;

        private Admission(List<Runnable> releases, LimitReason refused, long retryAfterSeconds) {
            this.releases = releases;
            this.refused = refused;
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public boolean admitted() {
            return refused == null;
        }

        public LimitReason refused() {
            return refused;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }

        /** The request is finished: it no longer counts as in flight. */
        public void done() {
            releases.forEach(Runnable::run);
            releases.clear();
        }
    }

    /**
     * Takes a request of {@code identity} in, against the listener's limits and, when it matched a
     * route with limits of its own, that route's.
     *
     * @param route the matched route's name, or null
     */
    public Admission admit(PeerIdentity identity, String route) {
        long now = System.nanoTime();
        List<Runnable> releases = new ArrayList<>(2);
        Admission refused = take(state.listener, listener, identity, now, releases);
        LimitsConfig routeLimits = route == null ? null : routes.get(route);
        if (refused == null && routeLimits != null) {
            refused = take(state.routes.computeIfAbsent(route, r -> new IdentityLimiter()), routeLimits, identity, now,
                    releases);
        }
        if (refused != null) {
            releases.forEach(Runnable::run);
            refusals.accept(refused.refused);
            return refused;
        }
        return new Admission(releases, null, 0);
    }

    private static Admission take(IdentityLimiter table, LimitsConfig config, PeerIdentity identity, long now,
            List<Runnable> releases) {
        Optional<RequestLimits> limits = limitsFor(config, identity);
        if (limits.isEmpty()) {
            return null;
        }
        IdentityLimiter.Entry entry = table.entry(key(identity), config.maxTracked(), now);
        long wait = entry.tryRequest(limits.get(), now);
        if (wait < 0) {
            return new Admission(new ArrayList<>(), LimitReason.IN_FLIGHT, 1);
        }
        if (wait > 0) {
            return new Admission(new ArrayList<>(), LimitReason.REQUEST_RATE, wait);
        }
        releases.add(() -> entry.requestDone(limits.get()));
        return null;
    }
}
