package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.config.LimitsConfig;
import io.netty.handler.ssl.SslContext;

/**
 * What a new connection is served with, read once when it is accepted: the TLS context and the
 * HTTP stage of one config snapshot. A reload publishes a new snapshot; connections that are
 * already open keep theirs.
 */
public interface ListenerSnapshot {
    /** The listener's name, for logs and events. */
    String listener();

    /**
     * A reference-counted context; its owner releases it when the snapshot is replaced. Null for
     * a plain-HTTP (egress) listener, whose connections start at the HTTP stage.
     */
    SslContext tls();

    /** Builds the HTTP stage once a connection's client is verified. */
    HttpStage.Factory httpStage();

    /** The listener's limits: the per-source ones apply before TLS starts. */
    LimitsConfig limits();
}
