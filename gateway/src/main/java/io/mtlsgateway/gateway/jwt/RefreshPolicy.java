package io.mtlsgateway.gateway.jwt;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a JWKS URL is fetched again: the response's {@code Cache-Control: max-age} decides how long
 * a key set is fresh (clamped, so a misconfigured IdP cannot make the gateway hammer it or never
 * look again), a refresh starts ahead of that, and failed fetches back off exponentially.
 */
final class RefreshPolicy {
    static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(10);
    static final Duration MIN_LIFETIME = Duration.ofMinutes(1);
    static final Duration MAX_LIFETIME = Duration.ofHours(24);
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration MAX_RETRY = Duration.ofMinutes(5);
    /** Unknown key ids start at most one fetch per this interval: a stream of forged kids costs one fetch. */
    static final Duration UNKNOWN_KEY_INTERVAL = Duration.ofSeconds(30);

    private static final Pattern MAX_AGE = Pattern.compile("(?:^|[,\\s])max-age\\s*=\\s*\"?(\\d{1,10})\"?");

    private RefreshPolicy() {}

    /** How long a fetched key set is fresh, from its {@code Cache-Control} header. */
    static Duration lifetime(Optional<String> cacheControl) {
        if (cacheControl.isEmpty()) {
            return DEFAULT_LIFETIME;
        }
        String value = cacheControl.get().toLowerCase(Locale.ROOT);
        if (value.contains("no-store") || value.contains("no-cache")) {
            return MIN_LIFETIME;
        }
        Matcher m = MAX_AGE.matcher(value);
        if (!m.find()) {
            return DEFAULT_LIFETIME;
        }
        Duration maxAge = Duration.ofSeconds(Long.parseLong(m.group(1)));
        return maxAge.compareTo(MIN_LIFETIME) < 0 ? MIN_LIFETIME
                : maxAge.compareTo(MAX_LIFETIME) > 0 ? MAX_LIFETIME : maxAge;
    }

    /** When to refresh a key set that is fresh for {@code lifetime}: at four fifths of it. */
    static Duration refreshAfter(Duration lifetime) {
        return lifetime.multipliedBy(4).dividedBy(5);
    }

    /** The wait before retry number {@code failures} (1 for the first failure): 1 s, 2 s, 4 s ... 5 min. */
    static Duration retryAfter(int failures) {
        int doublings = Math.min(Math.max(failures - 1, 0), 20);
        Duration delay = FIRST_RETRY.multipliedBy(1L << doublings);
        return delay.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : delay;
    }
}
