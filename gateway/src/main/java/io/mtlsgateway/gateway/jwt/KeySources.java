package io.mtlsgateway.gateway.jwt;

import io.mtlsgateway.config.JwksSource;
import io.mtlsgateway.config.JwtIssuerConfig;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
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
    private final HttpClient client;
    private final Clock clock;
    // Guarded by this.
    private final Map<JwksSource.Url, UrlKeySource> urls = new HashMap<>();

    public KeySources() {
        this(Clock.systemUTC());
    }

    KeySources(Clock clock) {
        this.clock = clock;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gateway-jwks");
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder()
                .executor(thread)
                .connectTimeout(CONNECT_TIMEOUT)
                // Never from https to http; a JWKS that moved within https is followed.
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
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
        return urls.computeIfAbsent(url, u -> new UrlKeySource(u.uri(), u.maxStale(), client, thread, clock).start());
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
