package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.LogText;
import io.mtlsgateway.gateway.identity.PeerHeaders;
import io.mtlsgateway.gateway.pipeline.DrainEvent;
import io.mtlsgateway.gateway.pipeline.TrustChangedEvent;
import io.mtlsgateway.gateway.vhost.HostScope;
import io.mtlsgateway.gateway.pipeline.VerifiedPeer;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The last handler of a verified downstream connection: passes what the HTTP codec reads, and the
 * connection's events, to the connection's {@link DownstreamRequests}, which routes, authorizes
 * and relays each request. Exceptions go on to the pipeline's terminal handler.
 */
final class ProxyHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(ProxyHandler.class.getName());

    private final HttpStageSnapshot snapshot;
    private final VerifiedPeer peer;
    private final Supplier<ClientLimits> limits;
    private final PeerHeaders peerHeaders;
    private DownstreamRequests requests;

    /** The proxy of an HTTP/1.1 connection. */
    ProxyHandler(HttpStageSnapshot snapshot, VerifiedPeer peer) {
        this(snapshot, peer, () -> ClientLimits.open(snapshot.limiter(), peer.identity()),
                snapshot.identityHeaders().forPeer(peer.identity()));
    }

    /**
     * @param limits the client's standing against its limits, made when the handler is added
     * @param peerHeaders the client's identity headers, rendered once per connection (an h2
     *     connection's streams share them: rendering them per stream was measurable in bench/load)
     */
    ProxyHandler(HttpStageSnapshot snapshot, VerifiedPeer peer, Supplier<ClientLimits> limits,
            PeerHeaders peerHeaders) {
        this.snapshot = snapshot;
        this.peer = peer;
        this.limits = limits;
        this.peerHeaders = peerHeaders;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ClientLimits standing = limits.get();
        requests = new DownstreamRequests(snapshot, peer, ctx, standing, peerHeaders);
        if (standing != null && standing.overConnectionCap()) {
            // Over the cap the connection serves nothing: a request that comes gets 429 and the
            // connection closes after it, but a silent one would otherwise stay for the idle timeout,
            // and a client could hold any number of them. It gets the time a request head may take.
            ctx.executor().schedule(() -> {
                ctx.close();
            }, snapshot.http().headerReadTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpObject http) {
            requests.read(http);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        requests.readComplete();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        requests.writabilityChanged(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof TrustChangedEvent change
                && change.concerns(snapshot.name(), snapshot.host().map(HostScope::label))
                && !peer.chain().isEmpty() && !requests.untrusted() && !change.stillTrusted().test(peer.chain())) {
            LOG.log(Level.WARNING, "listener {0}: closing the connection of {1} (subject \"{2}\", serial {3}): "
                    + "{4}", new Object[] {snapshot.name(), peer.clientAddress(), LogText.of(peer.identity().subject()),
                        peer.identity().serial(), change.why()});
            requests.untrust();
        }
        if (evt instanceof DrainEvent) {
            requests.drain();
        }
        if (evt == HttpTimeouts.BODY_READ_TIMED_OUT) {
            requests.bodyTimedOut();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        requests.closed();
        ctx.fireChannelInactive();
    }
}
