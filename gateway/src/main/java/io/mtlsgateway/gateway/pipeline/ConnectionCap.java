package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.limits.LimitReason;
import io.mtlsgateway.gateway.metrics.LimitMetrics;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A listener's {@code limits.maxConnections}: its open client connections, of every source and
 * identity together, counted from the accept. Over the cap a new connection is closed at once,
 * before TLS reads a byte: anyone who can reach the port can open connections (no certificate is
 * needed to be accepted), and without a cap they could take every file descriptor of the process,
 * leaving none for upstream connections, reloads and the admin endpoint. Shared by the listener's
 * event loops; connections are counted even without a cap, so one set by a reload sees them all.
 */
final class ConnectionCap {
    private static final Logger LOG = Logger.getLogger(ConnectionCap.class.getName());

    private enum Warning { REFUSED }

    private final String listener;
    private final LimitMetrics metrics;
    private final AtomicInteger open = new AtomicInteger();
    private final WarningRate<Warning> warnings = new WarningRate<>(Warning.class, System::nanoTime);

    ConnectionCap(String listener, LimitMetrics metrics) {
        this.listener = listener;
        this.metrics = metrics;
    }

    /**
     * Counts a connection just accepted until it closes, or closes it when {@code max} are open.
     *
     * @param max the cap; 0 for none
     * @return whether the connection may be served
     */
    boolean admit(Channel channel, int max) {
        int now = open.incrementAndGet();
        if (max > 0 && now > max) {
            open.decrementAndGet();
            metrics.refused(LimitReason.MAX_CONNECTIONS);
            warn(channel, max);
            channel.close();
            return false;
        }
        channel.closeFuture().addListener(f -> open.decrementAndGet());
        return true;
    }

    /** Connections counted now. */
    int open() {
        return open.get();
    }

    private void warn(Channel channel, int max) {
        long demoted = warnings.admit(Warning.REFUSED);
        String source = channel.remoteAddress() instanceof InetSocketAddress peer && peer.getAddress() != null
                ? peer.getAddress().getHostAddress() : "unknown";
        String line = "listener " + listener + ": refused a connection from " + source + ": " + max
                + " connections open (limits.maxConnections)"
                + (demoted > 0 ? "; " + demoted + " more refused since the last warning" : "");
        LOG.log(demoted < 0 ? Level.FINE : Level.WARNING, line);
    }
}
