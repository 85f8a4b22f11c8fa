package io.mtlsgateway.gateway.pipeline;

/**
 * Fired down a downstream pipeline when the gateway starts draining: an idle connection closes
 * at once, a busy one answers its in-flight request with {@code Connection: close} and then closes.
 */
public final class DrainEvent implements ConnectionEvent {
    public static final DrainEvent INSTANCE = new DrainEvent(false);
    /**
     * Fired at tunnels only, when nothing but tunnels is left to wait for or the drain timeout has
     * passed: a tunnel has no request that could end, so it is closed (both sides) and counted.
     */
    public static final DrainEvent CLOSE_TUNNELS = new DrainEvent(true);

    private final boolean closesTunnels;

    private DrainEvent(boolean closesTunnels) {
        this.closesTunnels = closesTunnels;
    }

    /** Whether this is the end of the wait for tunnels. */
    public boolean closesTunnels() {
        return closesTunnels;
    }
}
