package io.mtlsgateway.gateway.pipeline;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Ends a verified connection once a certificate of its client's validated path expires. From then
 * on a handshake fails with {@code certificate_expired}; a connection kept busy enough never to
 * reach its idle timeout (or a tunnel) would go on serving a client no new connection may serve.
 * Delivered as a {@link TrustChangedEvent} that trusts no chain, so each stage ends the connection
 * as it does for a client a reload revoked: after the in-flight request (HTTP/1.1), after the open
 * streams (h2), at once (a tunnel).
 */
final class CertificateExpiry {
    /** Past {@code notAfter}, which is still inside the validity period (RFC 5280 section 4.1.2.5). */
    private static final long AFTER_MILLIS = 1_000;

    private CertificateExpiry() {}

    /** Schedules the end of {@code channel} at the first expiry in {@code path}; nothing without a path. */
    static void watch(Channel channel, String listener, Optional<String> host, List<X509Certificate> path) {
        if (path.isEmpty()) {
            return;
        }
        Instant expiry = path.get(0).getNotAfter().toInstant();
        for (X509Certificate certificate : path) {
            Instant notAfter = certificate.getNotAfter().toInstant();
            expiry = notAfter.isBefore(expiry) ? notAfter : expiry;
        }
        Instant expired = expiry;
        long delay = Math.max(0, expired.toEpochMilli() - System.currentTimeMillis()) + AFTER_MILLIS;
        ScheduledFuture<?> timer = channel.eventLoop().schedule(
                () -> channel.pipeline().fireUserEventTriggered(TrustChangedEvent.expired(listener, host, expired)),
                delay, TimeUnit.MILLISECONDS);
        // A connection usually ends long before its certificate: the timer must not outlive it.
        channel.closeFuture().addListener(f -> timer.cancel(false));
    }
}
