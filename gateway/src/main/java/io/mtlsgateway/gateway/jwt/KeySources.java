package io.mtlsgateway.gateway.jwt;

import io.mtlsgateway.config.JwksSource;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.JwtIssuerConfig;
import io.mtlsgateway.config.RouteConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The key sources of every configured issuer, kept across reloads: a JWKS URL whose settings did
 * not change keeps its cached keys and its refresh schedule (a reload must not turn into a burst
 * of fetches, or a gap without keys); a JWKS file is read again on every load, off the event loops.
 * All fetching runs on one daemon thread of its own.
 */
public final class KeySources implements AutoCloseable {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final ScheduledExecutorService thread;
    private final Clock clock;
    // Guarded by this.
    private final Map<JwksSource.Url, UrlKeySource> urls = new HashMap<>();
    /**
     * Made for the first JWKS URL, guarded by this: building one sets up the JDK's TLS (its default
     * context reads the CA bundle) and a selector thread, about 100 ms of a start's main-thread CPU
     * here (part of it security set-up that the listener's TLS context then does itself). A gateway
     * without a JWKS URL needs none of it.
     */
    private HttpClient client;
    /**
     * For plain-http (loopback) URLs, guarded by this: never follows a redirect, since the JDK's
     * NORMAL policy would follow one from http to http on any host, fetching keys in cleartext
     * across the network, which the loopback-only rule for http exists to prevent.
     */
    private HttpClient loopbackClient;

    public KeySources() {
        this(Clock.systemUTC());
    }

    /** @param clock what URL sources judge staleness and rate limits by */
    KeySources(Clock clock) {
        this.clock = clock;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gateway-jwks");
            t.setDaemon(true);
            return t;
        });
    }

    private HttpClient client(URI uri) {
        if (!"https".equalsIgnoreCase(uri.getScheme())) {
            if (loopbackClient == null) {
                loopbackClient = HttpClient.newBuilder()
                        .executor(thread)
                        .connectTimeout(CONNECT_TIMEOUT)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
            }
            return loopbackClient;
        }
        if (client == null) {
            client = HttpClient.newBuilder()
                    .executor(thread)
                    .connectTimeout(CONNECT_TIMEOUT)
                    // Never from https to http; a JWKS that moved within https is followed.
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .build();
        }
        return client;
    }

    /**
     * The key source for each issuer, by issuer name. URL sources start fetching when first asked
     * for; files are read now.
     *
     * @throws KeySetException when a JWKS file is missing or holds no usable key
     */
    public synchronized Map<String, KeySource> forIssuers(Map<String, JwtIssuerConfig> issuers) throws KeySetException {
        Map<String, KeySource> sources = new LinkedHashMap<>();
        for (JwtIssuerConfig issuer : issuers.values()) {
            sources.put(issuer.name(), source(issuer.jwks()));
        }
        return sources;
    }

    private KeySource source(JwksSource jwks) throws KeySetException {
        if (jwks instanceof JwksSource.File file) {
            return KeySource.of(JwksFiles.read(file.path()));
        }
        JwksSource.Url url = (JwksSource.Url) jwks;
        return urls.computeIfAbsent(url, u -> new UrlKeySource(u.uri(), u.maxStale(), client(u.uri()), thread, clock).start());
    }

    /**
     * The token policies of {@code config}'s routes, with these sources.
     *
     * @throws KeySetException when a JWKS file is missing or holds no usable key
     */
    public TokenPolicies policies(GatewayConfig config) throws KeySetException {
        return config.jwt().isEmpty() ? TokenPolicies.NONE
                : TokenPolicies.of(config, forIssuers(config.jwt()), clock);
    }

    /**
     * Whether every issuer a route requires a token from has produced a key set at least once:
     * until then such routes could only answer {@code jwks_unavailable}, so the gateway is not ready.
     */
    public synchronized boolean ready(GatewayConfig config) {
        for (RouteConfig route : config.routes()) {
            if (route.jwt().isEmpty() || !route.jwt().get().required()) {
                continue;
            }
            JwtIssuerConfig issuer = config.jwt().get(route.jwt().get().issuer());
            if (issuer != null && issuer.jwks() instanceof JwksSource.Url url) {
                UrlKeySource source = urls.get(url);
                if (source == null || !source.everLoaded()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The JWKS files of {@code config}: watched like every other file it names. */
    public static Set<Path> files(GatewayConfig config) {
        Set<Path> files = new LinkedHashSet<>();
        for (JwtIssuerConfig issuer : config.jwt().values()) {
            if (issuer.jwks() instanceof JwksSource.File file) {
                files.add(file.path());
            }
        }
        return files;
    }

    /**
     * Waits, at most {@code max}, for the first fetch of every JWKS URL to end (with keys or not),
     * so the first requests after start do not pay for it. Called once, before serving.
     */
    public void awaitFirstFetches(Duration max) {
        CompletableFuture<?>[] first;
        synchronized (this) {
            first = urls.values().stream().map(UrlKeySource::firstAttempt).toArray(CompletableFuture[]::new);
        }
        try {
            CompletableFuture.allOf(first).get(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Each source logs its own failure and keeps retrying; serving starts anyway.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the URL sources the config in force no longer names (after a reload took effect). */
    public synchronized void retain(Map<String, JwtIssuerConfig> issuers) {
        Set<JwksSource> inUse = new HashSet<>();
        issuers.values().forEach(issuer -> inUse.add(issuer.jwks()));
        urls.entrySet().removeIf(entry -> {
            if (inUse.contains(entry.getKey())) {
                return false;
            }
            entry.getValue().close();
            return true;
        });
    }

    @Override
    public synchronized void close() {
        urls.values().forEach(UrlKeySource::close);
        urls.clear();
        thread.shutdownNow();
    }
}
