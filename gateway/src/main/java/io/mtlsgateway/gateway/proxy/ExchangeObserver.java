package io.mtlsgateway.gateway.proxy;

/**
 * Told about every request a listener handles: the hook for request metrics, the access log
 * and in-flight tracking, so the proxy itself knows nothing about any of them. Called on the
 * connection's event loop: implementations must not block.
 */
public interface ExchangeObserver {
    /** Observes nothing: for tests and tools that do not care. */
    ExchangeObserver NONE = new ExchangeObserver() {};

    /** A request head was read and the gateway is handling it. */
    default void requestStarted(RequestRecord request) {}

    /**
     * The request is done: its response was handed to the connection, or the exchange was
     * abandoned (client gone, upstream broke). Called exactly once per started request; the
     * record is not touched afterwards, so it may be handed to another thread.
     */
    default void requestFinished(RequestRecord request) {}

    /**
     * The gateway closed one of the listener's tunnels itself.
     *
     * @param reason {@code untrusted} (a reload stopped trusting the client) or {@code drain}
     */
    default void tunnelClosed(String listener, String reason) {}

    /** The gateway's X-Forwarded-Client-Cert element for a request on this listener left out SAN pairs to fit its budget. */
    default void xfccTrimmed(String listener) {}
}
