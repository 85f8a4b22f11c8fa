package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.limits.SourceLimiter;
import io.mtlsgateway.gateway.metrics.LimitMetrics;
import io.mtlsgateway.gateway.metrics.ListenerMetrics;
import io.mtlsgateway.gateway.tls.HandshakeTaskExecutor;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * A new downstream connection: TLS first, and a gate that admits the HTTP stage only after the
 * client has been verified; on a plain-HTTP (egress) listener, the HTTP stage at once. The listener's snapshot is read per connection, so a reload changes
 * new connections only.
 */
public final class ListenerInitializer extends ChannelInitializer<SocketChannel> {
    private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final Supplier<? extends ListenerSnapshot> snapshots;
    private final ListenerMetrics metrics;
    private final ConnectionTracker connections;
    private final Executor verificationExecutor;
    private final HandshakeFailureLog failures = new HandshakeFailureLog();
    private final TerminalExceptionHandler errors;
    private final SourceGate sourceGate;
    private final ConnectionCap cap;

    /**
     * @param snapshots the listener's current snapshot, read once per connection
     * @param verificationExecutor runs client-chain verification, off the event loop
     * @param limitMetrics counts what the listener's limits refuse
     */
    public ListenerInitializer(Supplier<? extends ListenerSnapshot> snapshots, ListenerMetrics metrics,
            ConnectionTracker connections, Executor verificationExecutor, LimitMetrics limitMetrics) {
        this.sourceGate = new SourceGate(snapshots.get().listener(), limitMetrics);
        this.cap = new ConnectionCap(snapshots.get().listener(), limitMetrics);
        this.snapshots = snapshots;
        this.metrics = metrics;
        this.connections = connections;
        this.verificationExecutor = verificationExecutor;
        // A listener keeps its name across reloads: one terminal handler serves all its connections.
        this.errors = new TerminalExceptionHandler(snapshots.get().listener(), metrics);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        // Before anything else, TLS above all: a refused source costs no handshake and no parsing.
        if (!cap.admit(ch, snapshots.get().limits().maxConnections())) {
            return;
        }
        SourceLimiter.Admission source = sourceGate.admit(ch, snapshots.get().limits());
        if (source != null && !source.admitted()) {
            return;
        }
        if (!connections.admit(ch, metrics)) {
            if (source != null) {
                source.handshake().ended(false, false, ch.eventLoop().ticker().nanoTime());
            }
            return;
        }
        ListenerSnapshot plain = snapshots.get();
        if (plain.tls() == null) {
            // Egress: plain HTTP from a local application; no handshake, no client identity.
            if (source != null) {
                // There is no handshake to hold a slot for: the connection counts as one that succeeded.
                source.handshake().ended(true, false, ch.eventLoop().ticker().nanoTime());
            }
            plain.httpStage().create(new VerifiedPeer(null, List.of(), clientAddress(ch))).installPlain(ch.pipeline());
            ch.pipeline().addLast(PipelineNames.ERRORS, errors);
            return;
        }
        if (snapshots.get().virtualHosts().isPresent()) {
            // The ClientHello's server name picks the host entry, and with it the TLS context.
            // It puts the entry's TLS handler and gate in its own place, so errors stays last.
            ch.pipeline()
                    .addLast(PipelineNames.TLS, new HostSelectionHandler(snapshots, verificationExecutor,
                            HANDSHAKE_TIMEOUT_MILLIS, entry -> new HandshakeGateHandler(entry, failures, metrics),
                            metrics, source == null ? SourceWatch.NONE : watch(ch, source)))
                    .addLast(PipelineNames.ERRORS, errors);
            return;
        }
        ListenerSnapshot snapshot = retainCurrent();
        SslHandler tls;
        try {
            tls = HandshakeTaskExecutor.newHandler(snapshot.tls(), ch, verificationExecutor);
        } finally {
            // The engine holds its own reference for as long as the connection lives.
            ReferenceCountUtil.release(snapshot.tls());
        }
        tls.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS);
        if (source != null) {
            sourceGate.watch(ch, tls, source.handshake());
        }
        ch.pipeline()
                .addLast(PipelineNames.TLS, tls)
                .addLast(PipelineNames.HANDSHAKE_GATE,
                        new HandshakeGateHandler(snapshot, failures, metrics))
                .addLast(PipelineNames.ERRORS, errors);
    }

    /** The per-source limits' view of a connection whose TLS handler comes with its ClientHello. */
    private SourceWatch watch(SocketChannel ch, SourceLimiter.Admission source) {
        return new SourceWatch() {
            @Override
            public void tls(SslHandler tls) {
                sourceGate.watch(ch, tls, source.handshake());
            }

            @Override
            public void endedWithoutTls(boolean counts) {
                source.handshake().ended(false, counts, ch.eventLoop().ticker().nanoTime());
            }
        };
    }

    private static String clientAddress(SocketChannel ch) {
        return ch.remoteAddress() == null ? "unknown" : ch.remoteAddress().getAddress().getHostAddress();
    }

    /** The current snapshot with its context retained, so a concurrent reload cannot free it under us. */
    private ListenerSnapshot retainCurrent() {
        while (true) {
            ListenerSnapshot snapshot = snapshots.get();
            SslContext context = snapshot.tls();
            try {
                ReferenceCountUtil.retain(context);
                return snapshot;
            } catch (IllegalReferenceCountException e) {
                // Replaced and released between the read and the retain: the next read sees the new one.
            }
        }
    }
}
