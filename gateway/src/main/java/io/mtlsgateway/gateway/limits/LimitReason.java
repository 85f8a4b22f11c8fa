package io.mtlsgateway.gateway.limits;

import java.util.Locale;

/** Why a connection or request was refused by a limit: a bounded metric label. */
public enum LimitReason {
    /** A source opened new connections faster than its handshake budget. */
    HANDSHAKE_RATE,
    /** A source has too many handshakes in progress. */
    CONCURRENT_HANDSHAKES,
    /** A source is in the penalty box after failing handshake after handshake. */
    PENALTY_BOX,
    /** The listener has {@code limits.maxConnections} client connections open already. */
    MAX_CONNECTIONS,
    /** An identity (or the bucket without one) sent requests faster than its rate. */
    REQUEST_RATE,
    /** An identity has too many connections open. */
    CONNECTIONS,
    /** An identity has too many requests being served. */
    IN_FLIGHT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
