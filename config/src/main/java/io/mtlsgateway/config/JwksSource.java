package io.mtlsgateway.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/** Where an issuer's public keys (a JSON Web Key Set, RFC 7517) come from. */
public sealed interface JwksSource permits JwksSource.File, JwksSource.Url {

    /** A JWKS file, re-read when it changes like every other file the route file names. */
    record File(Path path) implements JwksSource {
        public File {
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * A JWKS fetched over HTTPS (plain HTTP only from a loopback address), cached, and refreshed
     * ahead of expiry.
     *
     * @param maxStale how long the last good key set keeps being used while refreshes fail
     */
    record Url(URI uri, Duration maxStale) implements JwksSource {
        /** How long a key set stays in use while its URL cannot be fetched, unless the file says otherwise. */
        public static final Duration DEFAULT_MAX_STALE = Duration.ofHours(24);

        public Url {
            Objects.requireNonNull(uri, "uri");
            Durations.requirePositive("maxStale", maxStale);
        }
    }
}
