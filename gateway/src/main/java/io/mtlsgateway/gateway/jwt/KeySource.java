package io.mtlsgateway.gateway.jwt;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Where a validator gets an issuer's keys; safe to call from any thread, never blocks. */
public interface KeySource extends AutoCloseable {

    /** The keys to verify with now; empty when none was ever loaded, or the last ones are too stale. */
    Optional<KeySet> keys();

    /**
     * A token named a key id the current keys lack: fetch the keys again if the source can and the
     * rate limit allows. The future completes when that fetch ends, or at once when none is made.
     */
    default CompletableFuture<Void> refreshForUnknownKey() {
        return CompletableFuture.completedFuture(null);
    }

    /** Whether a key set was ever loaded (a required issuer without one keeps the gateway not ready). */
    default boolean everLoaded() {
        return keys().isPresent();
    }

    /** Stops any background work. */
    @Override
    default void close() {}

    /** A source that always has these keys (a JWKS file read once, tests). */
    static KeySource of(KeySet keys) {
        Optional<KeySet> fixed = Optional.of(keys);
        return () -> fixed;
    }
}
