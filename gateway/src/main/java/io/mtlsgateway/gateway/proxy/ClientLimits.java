package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.identity.PeerIdentity;
import io.mtlsgateway.gateway.limits.RequestLimiter;

/**
 * One client connection's standing against its per-identity limits: the connection counted
 * against the client's cap when it opened, and the request in flight. Absent (null) when the
 * listener limits nothing, so an unlimited request path asks nothing.
 */
final class ClientLimits {
    /** Why a request is not taken: answer 429 with {@code Retry-After}, closing the connection if told. */
    record Refusal(long retryAfterSeconds, boolean close) {}

    private final RequestLimiter limiter;
    private final PeerIdentity identity;
    private final RequestLimiter.Connection connection;
    /** False for an h2 stream: its connection is counted, and closed, by the h2 connection. */
    private final boolean ownsConnection;
    private RequestLimiter.Admission admission;
    private RequestRecord admitted;

    private ClientLimits(RequestLimiter limiter, PeerIdentity identity, RequestLimiter.Connection connection,
            boolean ownsConnection) {
        this.limiter = limiter;
        this.identity = identity;
        this.connection = connection;
        this.ownsConnection = ownsConnection;
    }

    /** @return null when {@code limiter} limits nothing */
    static ClientLimits open(RequestLimiter limiter, PeerIdentity identity) {
        return limiter.active() ? new ClientLimits(limiter, identity, limiter.open(identity), true) : null;
    }

    /**
     * The standing of one h2 stream: its requests are limited like any, but the connection was
     * counted once for all its streams ({@code connection}, null when nothing is limited).
     */
    static ClientLimits onStream(RequestLimiter limiter, PeerIdentity identity, RequestLimiter.Connection connection) {
        return connection == null ? null : new ClientLimits(limiter, identity, connection, false);
    }

    /**
     * Whether this is a connection of its own (not an h2 stream) over the client's connection cap:
     * it serves nothing, so it is not kept open for the client to hold.
     */
    boolean overConnectionCap() {
        return ownsConnection && !connection.admitted();
    }

    /** Takes the request of {@code record} in, on {@code route}; null when it may go on. */
    Refusal admit(String route, RequestRecord record) {
        if (!connection.admitted()) {
            return new Refusal(1, true); // a connection over the cap serves nothing
        }
        RequestLimiter.Admission decision = limiter.admit(identity, route);
        if (!decision.admitted()) {
            return new Refusal(decision.retryAfterSeconds(), false);
        }
        admission = decision;
        admitted = record;
        return null;
    }

    /** The request of {@code record} is done: it is no longer in flight. */
    void done(RequestRecord record) {
        if (record == admitted) {
            release();
        }
    }

    /** The connection closed. */
    void closed() {
        release();
        if (ownsConnection) {
            connection.close();
        }
    }

    private void release() {
        if (admission != null) {
            admission.done();
            admission = null;
            admitted = null;
        }
    }
}
