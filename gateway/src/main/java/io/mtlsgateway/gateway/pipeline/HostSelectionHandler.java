package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.LogText;
import io.mtlsgateway.gateway.verify.HandshakeReason;
import io.mtlsgateway.gateway.metrics.ListenerMetrics;
import io.mtlsgateway.gateway.tls.HandshakeTaskExecutor;
import io.mtlsgateway.gateway.vhost.HostNameTable;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The first stage of a connection to a listener with {@code hosts}: reads the ClientHello's
 * server name (SNI) without consuming it, picks the host entry from the listener's current
 * snapshot, and replaces itself with a TLS handler built from that entry's context (its server
 * certificate and client-certificate policy) and the entry's handshake gate. No byte is answered
 * before the choice; a name no entry has, with no default entry, is refused with a fatal
 * {@code unrecognized_name} alert (RFC 6066 section 3).
 */
final class HostSelectionHandler extends AbstractSniHandler<String> {
    /** A TLS alert record: fatal (2), unrecognized_name (112); plaintext, as no keys exist yet. */
    private static final byte[] UNRECOGNIZED_NAME_ALERT = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70};
    private static final Logger LOG = Logger.getLogger(HostSelectionHandler.class.getName());
    /** The longest DNS name: no host entry can have a longer one. */
    static final int MAX_NAME_LOGGED = 253;

    private final Supplier<? extends ListenerSnapshot> snapshots;
    private final Executor verificationExecutor;
    private final long handshakeTimeoutMillis;
    private final Function<ListenerSnapshot, ChannelHandler> gates;
    private final ListenerMetrics metrics;
    private final SourceWatch source;
    private final long acceptedNanos = System.nanoTime();
    private boolean selected;

    /**
     * @param gates makes the handshake gate of the chosen entry
     * @param handshakeTimeoutMillis how long the client has for its ClientHello, and then for the handshake
     */
    HostSelectionHandler(Supplier<? extends ListenerSnapshot> snapshots, Executor verificationExecutor,
            long handshakeTimeoutMillis, Function<ListenerSnapshot, ChannelHandler> gates, ListenerMetrics metrics,
            SourceWatch source) {
        super(handshakeTimeoutMillis);
        this.snapshots = snapshots;
        this.verificationExecutor = verificationExecutor;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.gates = gates;
        this.metrics = metrics;
        this.source = source;
    }

    @Override
    protected Future<String> lookup(ChannelHandlerContext ctx, String hostname) {
        // The choice is a map lookup: made when the lookup completes, on this event loop.
        return ctx.executor().newSucceededFuture(hostname);
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<String> future) {
        if (selected) {
            // Refused already, the ClientHello still unread: the decoder offers it again on the next
            // read and as the channel closes. One refusal is counted and logged once.
            return;
        }
        while (true) {
            VirtualHosts hosts = snapshots.get().virtualHosts().orElseThrow();
            HostNameTable.Selection selection = hosts.table().select(hostname);
            metrics.sniSelection(selection.outcome());
            if (selection.entry().isEmpty()) {
                refuse(ctx, hosts.listener(), hostname);
                return;
            }
            ListenerSnapshot entry = hosts.entries().get(selection.entry().getAsInt());
            try {
                ReferenceCountUtil.retain(entry.tls());
            } catch (IllegalReferenceCountException e) {
                // Replaced and released by a reload between the read and the retain: read again.
                continue;
            }
            SslHandler tls;
            try {
                tls = HandshakeTaskExecutor.newHandler(entry.tls(), ctx.channel(), verificationExecutor);
            } finally {
                // The engine holds its own reference for as long as the connection lives.
                ReferenceCountUtil.release(entry.tls());
            }
            tls.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
            selected = true;
            source.tls(tls);
            // The gate first: the buffered ClientHello reaches the TLS handler as this one leaves.
            ctx.pipeline().addAfter(ctx.name(), PipelineNames.HANDSHAKE_GATE, gates.apply(entry));
            ctx.pipeline().replace(this, PipelineNames.TLS, tls);
            return;
        }
    }

    private void refuse(ChannelHandlerContext ctx, String listener, String hostname) {
        selected = true;
        source.endedWithoutTls(true);
        metrics.handshakeFailed(System.nanoTime() - acceptedNanos, HandshakeReason.UNKNOWN_SNI);
        LOG.log(Level.WARNING, "listener {0}: TLS handshake with {1} failed: reason={2}: {3}",
                new Object[] {listener, ctx.channel().remoteAddress(), HandshakeReason.UNKNOWN_SNI.label(),
                    hostname == null ? "the client sent no server name and the listener has no default host"
                            : "no host entry is named \"" + LogText.of(bounded(hostname)) + "\" and the listener has no default host"});
        ctx.writeAndFlush(Unpooled.wrappedBuffer(UNRECOGNIZED_NAME_ALERT)).addListener(ChannelFutureListener.CLOSE);
    }

    /** The client's name cut to the longest DNS name (a server_name may be 64 KiB): one log line stays short. */
    static String bounded(String name) {
        return name.length() <= MAX_NAME_LOGGED ? name : name.substring(0, MAX_NAME_LOGGED) + "...";
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!selected) {
            // Gone before its ClientHello (a port scan, a TCP health check): not a TLS failure.
            selected = true;
            source.endedWithoutTls(false);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof DrainEvent) {
            // No ClientHello yet: nothing is in flight.
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
