package io.mtlsgateway.gateway.jwt;

import io.mtlsgateway.gateway.ExchangeDeadline;
import io.mtlsgateway.gateway.LimitedBody;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * An issuer's keys from a JWKS URL, fetched with the JDK HTTP client on the gateway's JWKS thread,
 * never on an event loop. The first fetch starts at once; the key set is refreshed ahead of the
 * lifetime its {@code Cache-Control} gives; a failed fetch is retried with backoff while the last
 * good key set keeps being used, for at most {@code maxStale} past its lifetime.
 */
final class UrlKeySource implements KeySource {
    private static final Logger LOG = Logger.getLogger(UrlKeySource.class.getName());
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** A key set and how long it is fresh. */
    private record Fetched(KeySet keys, Instant at, Duration lifetime) {}

    private final URI uri;
    private final Duration maxStale;
    private final HttpClient client;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final CompletableFuture<Void> firstAttempt = new CompletableFuture<>();
    private volatile Fetched current;
    // Guarded by this.
    private CompletableFuture<Void> inFlight;
    private Instant lastUnknownKeyFetch;
    private int failures;
    private ScheduledFuture<?> next;
    private boolean closed;

    UrlKeySource(URI uri, Duration maxStale, HttpClient client, ScheduledExecutorService scheduler, Clock clock) {
        this.uri = uri;
        this.maxStale = maxStale;
        this.client = client;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** Starts the first fetch; returns at once. */
    UrlKeySource start() {
        fetch();
        return this;
    }

    URI uri() {
        return uri;
    }

    /** Completes when the first fetch has ended, whether it found keys or not. */
    CompletableFuture<Void> firstAttempt() {
        return firstAttempt;
    }

    @Override
    public Optional<KeySet> keys() {
        Fetched fetched = current;
        if (fetched == null || clock.instant().isAfter(fetched.at().plus(fetched.lifetime()).plus(maxStale))) {
            return Optional.empty();
        }
        return Optional.of(fetched.keys());
    }

    @Override
    public boolean everLoaded() {
        return current != null;
    }

    @Override
    public synchronized CompletableFuture<Void> refreshForUnknownKey() {
        if (inFlight != null) {
            return inFlight;
        }
        Instant now = clock.instant();
        if (lastUnknownKeyFetch != null && now.isBefore(lastUnknownKeyFetch.plus(RefreshPolicy.UNKNOWN_KEY_INTERVAL))) {
            return CompletableFuture.completedFuture(null);
        }
        lastUnknownKeyFetch = now;
        return fetch();
    }

    /** Fetches now unless a fetch is under way; the future completes when it ends. */
    synchronized CompletableFuture<Void> fetch() {
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        if (inFlight != null) {
            return inFlight;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        inFlight = done;
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/jwk-set+json, application/json")
                .GET()
                .build();
        // The request's timeout ends with the response headers: the deadline also bounds the body,
        // so a trickling server cannot hold this fetch (and every refresh after it) for ever.
        ExchangeDeadline.bound(client.sendAsync(request, LimitedBody.handler(KeySet.MAX_DOCUMENT_CHARS * 4)),
                        REQUEST_TIMEOUT)
                .whenComplete((response, error) -> {
                    try {
                        ended(response, error, done);
                    } finally {
                        synchronized (this) {
                            if (inFlight == done) {
                                inFlight = null;
                            }
                        }
                        done.complete(null);
                        firstAttempt.complete(null);
                    }
                });
        return done;
    }

    private void ended(HttpResponse<byte[]> response, Throwable error, CompletableFuture<Void> done) {
        String problem;
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            problem = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        } else if (response.statusCode() != 200) {
            problem = "HTTP " + response.statusCode();
        } else {
            try {
                KeySet keys = KeySet.parse(new String(response.body(), StandardCharsets.UTF_8));
                Duration lifetime = RefreshPolicy.lifetime(response.headers().firstValue("Cache-Control"));
                boolean first = current == null;
                synchronized (this) {
                    // Published and no longer in flight in one step: a token whose kid these keys
                    // lack must start a new fetch, not join this one, whose answer it has already seen.
                    current = new Fetched(keys, clock.instant(), lifetime);
                    if (inFlight == done) {
                        inFlight = null;
                    }
                }
                keys.notes().forEach(note -> LOG.warning(() -> "JWKS " + uri + ": " + note));
                if (first || failures > 0) {
                    LOG.info(() -> "JWKS " + uri + ": " + keys.keys().size() + " key(s): " + keys.describe());
                }
                schedule(RefreshPolicy.refreshAfter(lifetime), 0);
                return;
            } catch (KeySetException e) {
                problem = e.getMessage();
            }
        }
        int failed;
        synchronized (this) {
            failed = ++failures;
        }
        Duration retry = RefreshPolicy.retryAfter(failed);
        Fetched last = current;
        String serving = last == null ? "no keys yet: tokens are refused as jwks_unavailable"
                : "serving the keys fetched at " + last.at() + " until " + last.at().plus(last.lifetime()).plus(maxStale);
        String reason = problem;
        LOG.warning(() -> "JWKS " + uri + ": fetch failed (" + reason + "); " + serving + "; retry in " + retry);
        schedule(retry, failed);
    }

    private synchronized void schedule(Duration delay, int failuresNow) {
        failures = failuresNow;
        if (closed) {
            return;
        }
        if (next != null) {
            next.cancel(false);
        }
        next = scheduler.schedule(this::fetch, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (next != null) {
            next.cancel(false);
        }
        firstAttempt.complete(null);
    }

    @Override
    public String toString() {
        return "JWKS " + uri;
    }
}
