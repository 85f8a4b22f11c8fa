package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.config.LimitsConfig;
import io.mtlsgateway.gateway.upstream.ListenerRuntime;
import io.netty.handler.ssl.SslContext;

/**
 * What a new connection is served with, read once when it is accepted: the TLS context and the
 * HTTP-stage runtime of one config snapshot. A reload publishes a new snapshot; connections that
 * are already open keep theirs.
 */
public interface ListenerSnapshot {
    /** A reference-counted context; its owner releases it when the snapshot is replaced. */
    SslContext tls();

    ListenerRuntime runtime();

    /** The listener's limits: the per-source ones apply before TLS starts. */
    LimitsConfig limits();
}
