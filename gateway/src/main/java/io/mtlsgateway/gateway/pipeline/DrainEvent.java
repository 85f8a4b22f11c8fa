package io.mtlsgateway.gateway.pipeline;

/**
 * Fired down a downstream pipeline when the gateway starts draining: an idle connection closes
 * at once, a busy one answers its in-flight request with {@code Connection: close} and then closes.
 */
public final class DrainEvent implements ConnectionEvent {
    public static final DrainEvent INSTANCE = new DrainEvent();

    private DrainEvent() {}
}
