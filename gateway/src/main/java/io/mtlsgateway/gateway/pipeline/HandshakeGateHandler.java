package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.config.ApplicationProtocol;
import io.mtlsgateway.config.Http2Limits;
import io.mtlsgateway.gateway.LogText;
import io.mtlsgateway.gateway.identity.PeerIdentity;
import io.mtlsgateway.gateway.verify.HandshakeReason;
import io.mtlsgateway.gateway.metrics.ListenerMetrics;
import io.mtlsgateway.gateway.verify.HandshakeVerdicts;
import io.mtlsgateway.gateway.verify.Verdict;
import io.mtlsgateway.gateway.tls.HandshakeTaskExecutor;
import io.mtlsgateway.gateway.tls.SessionTicketPolicy;
import io.mtlsgateway.gateway.tls.TicketSizeGuard;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Holds the HTTP stage back until the TLS handshake, and with it client verification, has
 * succeeded; then takes the verifier's verdict for this connection (the validated path and its
 * {@link PeerIdentity}, computed once, off the event loop) and replaces itself with the HTTP stage. A failed handshake is reported and closed.
 */
final class HandshakeGateHandler extends ChannelInboundHandlerAdapter {
    private final String listener;
    private final Optional<String> host;
    private final HttpStage.Factory httpStage;
    private final HandshakeVerdicts verdicts;
    private final HandshakeFailureLog failures;
    private final ListenerMetrics metrics;
    private final List<ApplicationProtocol> alpn;
    private final Http2Limits http2;
    private final Duration idleTimeout;
    /** When the connection was accepted: the handshake's duration includes waiting for the client. */
    private final long acceptedNanos = System.nanoTime();

    private static final Logger LOG = Logger.getLogger(HandshakeGateHandler.class.getName());

    /** A reload that changed trust while this handshake was in progress, if any. */
    private TrustChangedEvent trustChange;

    HandshakeGateHandler(ListenerSnapshot snapshot, HandshakeFailureLog failures, ListenerMetrics metrics) {
        this.listener = snapshot.listener();
        this.host = snapshot.host();
        this.httpStage = snapshot.httpStage();
        this.verdicts = snapshot.verdicts();
        this.failures = failures;
        this.metrics = metrics;
        this.alpn = snapshot.alpn();
        this.http2 = snapshot.http2();
        this.idleTimeout = snapshot.idleTimeout();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        ctx.fireUserEventTriggered(evt);
        if (evt instanceof SslHandshakeCompletionEvent done) {
            long nanos = System.nanoTime() - acceptedNanos;
            if (done.isSuccess()) {
                PeerIdentity identity = openHttpStage(ctx);
                host.ifPresent(h -> metrics.host(h).handshake(HandshakeReason.NONE));
                metrics.handshakeSucceeded(nanos, Optional.ofNullable(identity).map(PeerIdentity::notAfter));
                SSLEngine engine = ctx.pipeline().get(SslHandler.class).engine();
                metrics.sessionEstablished(SessionTicketPolicy.resumed(engine), TicketSizeGuard.withheld(engine));
            } else {
                HandshakeReason reason = HandshakeFailureClassifier.classify(done.cause());
                metrics.handshakeFailed(nanos, reason);
                host.ifPresent(h -> metrics.host(h).handshake(reason));
                // The timeout counts the gateway's own verification time too: say which side was late.
                String note = reason != HandshakeReason.TIMEOUT ? ""
                        : HandshakeFailureLog.timeoutNote(HandshakeTaskExecutor.verificationOf(ctx.channel()),
                                HandshakeTaskExecutor.queuedVerifications(ctx.channel()));
                failures.record(listener, ctx.channel().remoteAddress(), reason, done.cause(), note);
                ctx.close();
            }
        } else if (evt instanceof DrainEvent) {
            // Still in the handshake: no request is in flight, so there is nothing to wait for.
            ctx.close();
        } else if (evt instanceof TrustChangedEvent change && change.concerns(listener, host)) {
            // This handshake is being verified with the trust material of before the reload:
            // the chain it ends with is checked again against the new one before HTTP opens.
            trustChange = change;
        }
    }

    private PeerIdentity openHttpStage(ChannelHandlerContext ctx) {
        SSLEngine engine = ctx.pipeline().get(SslHandler.class).engine();
        Optional<Verdict.Accepted> verdict = verdicts.take(engine);
        if (verdict.isEmpty() && presentedCertificate(engine)) {
            // A chain got in that the verifier never accepted: never serve it as anonymous.
            LOG.log(Level.WARNING, "listener {0}: closing the connection of {1}: its certificate has no verdict",
                    new Object[] {listener, ctx.channel().remoteAddress()});
            ctx.close();
            return null;
        }
        PeerIdentity identity = verdict.map(Verdict.Accepted::identity).orElse(null);
        List<X509Certificate> path = verdict.map(Verdict.Accepted::path).orElse(List.of());
        if (trustChange != null && !path.isEmpty() && !trustChange.stillTrusted().test(path)) {
            LOG.log(Level.WARNING, "listener {0}: closing the connection of {1} (subject \"{2}\", serial {3}): "
                    + "trust material reloaded during its handshake no longer accepts its certificate",
                    new Object[] {listener, ctx.channel().remoteAddress(), LogText.of(identity.subject()),
                        identity.serial()});
            ctx.close();
            return identity;
        }
        String clientAddress = ctx.channel().remoteAddress() instanceof InetSocketAddress inet
                ? inet.getAddress().getHostAddress() : String.valueOf(ctx.channel().remoteAddress());
        VerifiedPeer peer = new VerifiedPeer(identity, path, clientAddress);
        String protocol = ctx.pipeline().get(SslHandler.class).applicationProtocol();
        CertificateExpiry.watch(ctx.channel(), listener, host, path);
        if (ApplicationProtocol.H2.alpnName().equals(protocol)) {
            Http2Stage.install(ctx, http2, idleTimeout, httpStage, peer, listener, host, metrics.http2());
        } else if (protocol != null || alpn.contains(ApplicationProtocol.HTTP_1_1)) {
            // No ALPN from the client means HTTP/1.1 (RFC 7301), where the listener offers it.
            httpStage.create(peer).install(ctx);
        } else {
            LOG.log(Level.WARNING, "listener {0}: closing the connection of {1}: it negotiated no protocol "
                    + "in ALPN, and the listener offers only h2", new Object[] {listener, clientAddress});
            ctx.close();
        }
        return identity;
    }

    /** Whether the client sent a certificate (no parsing: only whether there is one). */
    private static boolean presentedCertificate(SSLEngine engine) {
        try {
            return engine.getSession().getPeerCertificates().length > 0;
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // SslHandler releases no application data before the handshake completes; anything here
        // is a bug, and must not reach an HTTP stage that does not exist yet.
        ReferenceCountUtil.release(msg);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Handshake failures arrive here too; they are logged once, from the completion event.
        ctx.close();
    }
}
