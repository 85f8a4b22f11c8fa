package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.config.ConnectionReuse;
import java.time.Duration;

/**
 * Whether an idle upstream connection may serve a request of a given client connection. With
 * {@code safe} reuse, a connection that just ended a response serves only the client connection
 * it served; another must wait until it has been idle for the quarantine. Any byte an idle
 * connection reads closes it, so a broken upstream's late second response is read (and the
 * connection dropped) in the quarantine instead of being taken as another client's answer.
 */
record ReusePolicy(ConnectionReuse mode, long quarantineNanos) {
    /** Long enough for bytes already on their way to arrive; short against a client's think time. */
    static final Duration QUARANTINE = Duration.ofMillis(100);

    /**
     * @param lastClient the client connection the idle connection last served
     * @param idleSinceNanos when it was given back
     * @param client who asks for it now (null: unknown, never the same client)
     */
    boolean mayServe(Object lastClient, long idleSinceNanos, Object client, long nowNanos) {
        return mode == ConnectionReuse.ALWAYS
                || (client != null && client == lastClient)
                || nowNanos - idleSinceNanos >= quarantineNanos;
    }

    /** When a connection idle since then may serve anyone. */
    long freeForAllNanos(long idleSinceNanos) {
        return mode == ConnectionReuse.ALWAYS ? idleSinceNanos : idleSinceNanos + quarantineNanos;
    }
}
