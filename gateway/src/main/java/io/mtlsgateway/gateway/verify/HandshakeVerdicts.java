package io.mtlsgateway.gateway.verify;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import javax.net.ssl.SSLEngine;

/**
 * Carries the verifier's accepted verdict from inside the TLS handshake to the handshake gate,
 * keyed by the connection's engine: one verdict per connection, so the gate neither reads the
 * chain again nor rebuilds the identity. Engines are held weakly: a handshake that fails after
 * verification leaves nothing behind once its engine is gone.
 */
public final class HandshakeVerdicts {
    /**
     * The process's hand-off: engines are unique, so one map serves every listener and every host
     * entry's context (with SNI the context, and so the verifier, is chosen during the handshake).
     */
    public static final HandshakeVerdicts SHARED = new HandshakeVerdicts();

    private final Map<SSLEngine, Verdict.Accepted> byEngine = Collections.synchronizedMap(new WeakHashMap<>());

    /** Called by the trust manager, on whatever thread verified the chain. */
    void accepted(SSLEngine engine, Verdict.Accepted verdict) {
        if (engine != null) {
            byEngine.put(engine, verdict);
        }
    }

    /** The verdict the handshake of {@code engine} ended with, removed; empty when no chain was verified. */
    public Optional<Verdict.Accepted> take(SSLEngine engine) {
        return Optional.ofNullable(byEngine.remove(engine));
    }
}
