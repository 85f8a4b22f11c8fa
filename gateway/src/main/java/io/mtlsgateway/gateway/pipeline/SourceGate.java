package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.config.LimitsConfig;
import io.mtlsgateway.config.SourceLimits;
import io.mtlsgateway.gateway.limits.SourceKey;
import io.mtlsgateway.gateway.limits.SourceLimiter;
import io.mtlsgateway.gateway.metrics.HandshakeReason;
import io.mtlsgateway.gateway.metrics.LimitMetrics;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Applies a listener's per-source limits to a connection just accepted, before TLS reads a byte:
 * a refused connection is closed without a handshake, so no certificate is ever parsed for it.
 * The state lives per event loop (a source's connections are spread over the loops, so each loop
 * sees its share) and survives reloads; a reload changes only the numbers.
 */
final class SourceGate {
    private static final Logger LOG = Logger.getLogger(SourceGate.class.getName());

    private final String listener;
    private final LimitMetrics metrics;
    private final FastThreadLocal<SourceLimiter> limiters = new FastThreadLocal<>() {
        @Override
        protected SourceLimiter initialValue() {
            SourceLimiter limiter = new SourceLimiter();
            metrics.track(LimitMetrics.Tier.SOURCE, limiter::size);
            return limiter;
        }
    };

    SourceGate(String listener, LimitMetrics metrics) {
        this.listener = listener;
        this.metrics = metrics;
    }

    /**
     * Decides on a connection before its TLS handler exists, and closes it if refused. Call on
     * the connection's event loop.
     *
     * @return the decision, whose handshake is reported on once the TLS handler is in place; null
     *     when the listener has no per-source limit
     */
    SourceLimiter.Admission admit(Channel channel, LimitsConfig limits) {
        SourceLimits source = limits.perSource().orElse(null);
        if (source == null || !(channel.remoteAddress() instanceof InetSocketAddress peer) || peer.getAddress() == null) {
            return null;
        }
        SourceKey key = SourceKey.of(peer.getAddress(), source.ipv4Prefix(), source.ipv6Prefix());
        SourceLimiter.Admission admission =
                limiters.get().admit(key, source, limits.maxTracked(), channel.eventLoop().ticker().nanoTime());
        if (!admission.admitted()) {
            metrics.refused(admission.refused());
            channel.close();
        }
        return admission;
    }

    /** Reports the end of an admitted connection's handshake to its source's state. */
    void watch(Channel channel, SslHandler tls, SourceLimiter.Handshake handshake) {
        tls.handshakeFuture().addListener(f -> {
            HandshakeReason reason = f.isSuccess() ? HandshakeReason.NONE : HandshakeFailureClassifier.classify(f.cause());
            boolean boxed = handshake.ended(f.isSuccess(), reason != HandshakeReason.CLOSED,
                    channel.eventLoop().ticker().nanoTime());
            if (boxed) {
                LOG.log(Level.WARNING, "listener {0}: {1} failed too many handshakes in a row: refused for a while "
                        + "(penalty box)", new Object[] {listener, ((InetSocketAddress) channel.remoteAddress())
                        .getAddress().getHostAddress()});
            }
        });
    }
}
