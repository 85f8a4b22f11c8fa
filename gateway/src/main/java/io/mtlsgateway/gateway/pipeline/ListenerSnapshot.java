package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.config.ApplicationProtocol;
import io.mtlsgateway.config.Http2Limits;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.config.LimitsConfig;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.gateway.verify.HandshakeVerdicts;
import io.netty.handler.ssl.SslContext;
import java.util.Optional;
import java.time.Duration;
import java.util.List;

/**
 * One listener at one config snapshot, as a new connection sees it (read once when it is
 * accepted): the TLS context and the HTTP stage. A reload publishes a new snapshot; connections
 * that are already open keep theirs. Built by {@code server/BuiltListenerSnapshot}; its HTTP
 * part is {@code proxy/HttpStageSnapshot}.
 */
public interface ListenerSnapshot {
    /** The listener's name, for logs and events. */
    String listener();

    /**
     * A reference-counted context; its owner releases it when the snapshot is replaced. Null for
     * a plain-HTTP (egress) listener, whose connections start at the HTTP stage.
     */
    SslContext tls();

    /** Where the verifier leaves each handshake's accepted verdict for the gate. */
    HandshakeVerdicts verdicts();

    /** Builds the HTTP stage once a connection's client is verified. */
    HttpStage.Factory httpStage();

    /**
     * On a listener with {@code hosts}: one snapshot per host entry, chosen by the SNI of each
     * ClientHello (then {@link #tls()} and {@link #httpStage()} of this one are not used for
     * connections). Empty on a listener with one TLS policy.
     */
    default Optional<VirtualHosts> virtualHosts() {
        return Optional.empty();
    }

    /** The host entry this snapshot serves (its first name), on a listener with {@code hosts}. */
    default Optional<String> host() {
        return Optional.empty();
    }

    /** The HTTP versions offered in ALPN, in order of preference. */
    default List<ApplicationProtocol> alpn() {
        return ListenerConfig.DEFAULT_ALPN;
    }

    /** How long a connection with no request in progress stays open. */
    default Duration idleTimeout() {
        return HttpSettings.DEFAULT_IDLE_TIMEOUT;
    }

    /** The limits on this listener's HTTP/2 connections. */
    default Http2Limits http2() {
        return Http2Limits.defaults();
    }

    /** The listener's limits: the per-source ones apply before TLS starts. */
    LimitsConfig limits();
}
