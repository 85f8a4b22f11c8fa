package io.mtlsgateway.gateway.pipeline;

/**
 * The events the gateway fires down an open downstream pipeline, each on the connection's own
 * event loop: every stage of the connection hears them (the handshake gate, the HTTP stage).
 */
public sealed interface ConnectionEvent permits DrainEvent, TrustChangedEvent {}
