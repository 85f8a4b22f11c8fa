package io.mtlsgateway.config;

import java.util.Objects;
import java.util.Optional;

/**
 * Limits of a listener ({@code listeners[].limits}) or a route ({@code routes[].limits}; no
 * per-source tier and no connection caps there). Absent tiers cost nothing.
 *
 * @param perSource before TLS, per client address block
 * @param perIdentity after the handshake, per verified client (SPIFFE ID, else fingerprint)
 * @param anonymous one bucket shared by every request without a client certificate; when absent
 *     while {@code perIdentity} is set, those requests share one bucket with the per-identity
 *     numbers (never an exemption)
 * @param maxTracked sources, and identities, whose state is kept (least recently seen dropped first)
 * @param maxConnections open client connections of the listener at once, of every source and
 *     identity together, counted from the accept; 0 for no cap (listener only)
 */
public record LimitsConfig(Optional<SourceLimits> perSource, Optional<RequestLimits> perIdentity,
        Optional<RequestLimits> anonymous, int maxTracked, int maxConnections) {
    public static final int DEFAULT_MAX_TRACKED = 100_000;
    /** No limits. */
    public static final LimitsConfig NONE =
            new LimitsConfig(Optional.empty(), Optional.empty(), Optional.empty(), DEFAULT_MAX_TRACKED, 0);

    public LimitsConfig {
        Objects.requireNonNull(perSource, "perSource");
        Objects.requireNonNull(perIdentity, "perIdentity");
        Objects.requireNonNull(anonymous, "anonymous");
        if (maxTracked <= 0) {
            throw new IllegalArgumentException("maxTracked: " + maxTracked + " (expected: > 0)");
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 0)");
        }
    }

    /** These tiers, without a cap on the listener's connections. */
    public LimitsConfig(Optional<SourceLimits> perSource, Optional<RequestLimits> perIdentity,
            Optional<RequestLimits> anonymous, int maxTracked) {
        this(perSource, perIdentity, anonymous, maxTracked, 0);
    }

    /** The limits for requests without an identity: the explicit bucket, else the per-identity numbers. */
    public Optional<RequestLimits> withoutIdentity() {
        return anonymous.isPresent() ? anonymous : perIdentity;
    }

    /** Whether any request-side limit is set. */
    public boolean limitsRequests() {
        return perIdentity.isPresent() || anonymous.isPresent();
    }
}
