package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.identity.PeerHeaders;
import io.mtlsgateway.gateway.pipeline.Downstream;
import io.mtlsgateway.gateway.pipeline.Http2StreamRequests;
import io.mtlsgateway.gateway.pipeline.Tunnel;
import io.mtlsgateway.gateway.pipeline.VerifiedPeer;
import io.mtlsgateway.gateway.vhost.HostScope;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The requests of one verified client connection, served one at a time: each head is started by
 * the {@link RequestStarter} (answered by the gateway, held for token keys, or an
 * {@link Exchange}). Pipelined requests wait, unread, until the previous response is done. Owns
 * the connection's request state (what waits, whether to read, drain and close);
 * {@link ProxyHandler} only passes Netty's events in. An h2 stream is a connection of one request
 * here, told its stream's events by {@code pipeline/Http2ServerStreams}.
 */
final class DownstreamRequests implements ExchangeOwner, Http2StreamRequests {
    /** How long a connection idle when the drain starts stays open for a request already sent. */
    static final Duration IDLE_DRAIN_GRACE = Duration.ofSeconds(1);
    /** Any bound works (a check comes no later than the deadline); a long one checks least often. */
    private static final long RESPONSE_CLOCK_MAX_CHECK_NANOS = TimeUnit.HOURS.toNanos(1);

    private final HttpStageSnapshot snapshot;
    private final RequestStarter starter;
    private final VerifiedPeer peer;
    private final Downstream downstream;
    private final WaitingMessages waiting = new WaitingMessages();
    /**
     * The response timeout's clock, one per connection: its check is scheduled at the first
     * deadline and moves on from there, rather than a task scheduled and cancelled per request.
     */
    private final DeadlineTimer responseClock = new DeadlineTimer(RESPONSE_CLOCK_MAX_CHECK_NANOS);
    private Exchange current;
    /** Skipping the rest of a request that was answered by the gateway itself. */
    private boolean discardingBody;
    private boolean closing;
    /** The gateway is stopping: answer what is in flight with Connection: close, then close. */
    private boolean draining;
    /** Between channelRead and channelReadComplete: writes upstream wait for the flush at the end. */
    private boolean reading;
    /** A reload stopped trusting the client: its in-flight request finishes, nothing more is served. */
    private boolean untrusted;
    /** The client's per-identity limits; null when nothing is limited. */
    private final ClientLimits limits;
    /** A request waits for its token issuer's keys to be fetched again (a rotation): read nothing. */
    private boolean awaitingKeys;

    /**
     * @param limits the client's standing against its per-identity limits; null when nothing is limited
     * @param peerHeaders the client's identity headers, rendered once for its connection
     */
    DownstreamRequests(HttpStageSnapshot snapshot, VerifiedPeer peer, Downstream downstream, ClientLimits limits,
            PeerHeaders peerHeaders) {
        this.snapshot = snapshot;
        this.peer = peer;
        this.downstream = downstream;
        this.limits = limits;
        this.starter = new RequestStarter(snapshot, peer, downstream, limits, this, peerHeaders);
    }

    /** A message from the codec; this takes ownership of it. */
    @Override
    public void read(HttpObject http) {
        if (closing) {
            ReferenceCountUtil.release(http);
            return;
        }
        reading = true;
        if (current != null && !current.requestComplete()) {
            current.onRequestPart(http);
        } else if (current != null || awaitingKeys || !waiting.isEmpty()) {
            waiting.add(http);
        } else {
            dispatch(http);
        }
        readinessChanged();
    }

    @Override
    public void readComplete() {
        reading = false;
        if (current != null) {
            current.flushUpstream();
        }
    }

    @Override
    public void writabilityChanged(boolean writable) {
        if (current != null) {
            current.onDownstreamWritabilityChanged(writable);
        }
    }

    /** A reload no longer trusts the client: finish what is in flight, serve nothing more. */
    void untrust() {
        if (untrusted) {
            return;
        }
        untrusted = true;
        draining = true;
        waiting.release();
        if (current == null && !awaitingKeys) {
            closing = true;
            downstream.close();
        }
    }

    boolean untrusted() {
        return untrusted;
    }

    /** The client is too slow sending a request body: answer 408 (or cut off a response) and close. */
    void bodyTimedOut() {
        closing = true;
        waiting.release();
        if (current != null) {
            current.bodyTimedOut();
        } else {
            ErrorResponses.write(downstream, ProxyError.BODY_READ_TIMEOUT, true);
        }
    }

    /** The gateway is stopping. */
    void drain() {
        draining = true;
        if (idle()) {
            // Idle keep-alive connection. The client may have sent its next request already (it is
            // on the wire, or in a load balancer): closing now would lose it, as the client sees
            // only the close. Wait a moment; a request that arrives is answered with
            // Connection: close, and a connection still idle then is closed.
            scheduleIdleClose();
        }
    }

    private boolean idle() {
        return current == null && waiting.isEmpty() && !awaitingKeys;
    }

    private void scheduleIdleClose() {
        downstream.eventLoop().schedule(this::closeIfIdle, IDLE_DRAIN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void closeIfIdle() {
        if (!closing && idle()) {
            closing = true;
            downstream.close();
        }
    }

    @Override
    public void closed() {
        closing = true;
        responseClock.stop();
        if (current != null) {
            current.abort();
            current = null;
        }
        waiting.release();
        if (limits != null) {
            limits.closed();
        }
    }

    private void dispatch(HttpObject msg) {
        if (untrusted) {
            ReferenceCountUtil.release(msg);
            closing = true;
            downstream.close();
            return;
        }
        if (discardingBody) {
            discardingBody = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            try {
                start(request);
            } finally {
                ReferenceCountUtil.release(request);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void start(HttpRequest request) {
        proceed(request, RequestHeads.of(request), starter.open(request), true);
    }

    private void proceed(HttpRequest request, RequestHead head, RequestRecord record, boolean mayAwaitKeys) {
        RequestStarter.Step step = starter.start(request, head, record, mayAwaitKeys, draining);
        if (step instanceof RequestStarter.Forwarded forwarded) {
            current = forwarded.exchange();
            current.start();
        } else if (step instanceof RequestStarter.AwaitingKeys awaiting) {
            awaitKeys(request, head, record, awaiting.keys());
        } else if (step instanceof RequestStarter.Answered answered) {
            if (answered.closeAfter()) {
                closing = true;
                waiting.release();
            } else {
                discardingBody = answered.skipBody();
            }
        }
    }

    /**
     * Holds the request, reading nothing more, until its issuer's keys were fetched again; then
     * plans it once more on this connection's event loop (at most once: a key still unknown is refused).
     */
    private void awaitKeys(HttpRequest request, RequestHead head, RequestRecord record, CompletableFuture<Void> keys) {
        awaitingKeys = true;
        ReferenceCountUtil.retain(request);
        keys.whenComplete((done, error) -> downstream.eventLoop().execute(() -> {
            awaitingKeys = false;
            try {
                if (!closing) {
                    proceed(request, head, record, false);
                }
            } finally {
                ReferenceCountUtil.release(request);
            }
            continueWaiting();
        }));
        readinessChanged();
    }

    @Override
    public boolean reading() {
        return reading;
    }

    @Override
    public DeadlineTimer responseClock() {
        return responseClock;
    }

    @Override
    public boolean draining() {
        return draining;
    }

    @Override
    public void requestDone(RequestRecord record) {
        if (limits != null) {
            limits.done(record);
        }
        if (record.finish()) {
            snapshot.observer().requestFinished(record);
        }
    }

    @Override
    public void exchangeFinished(Exchange exchange, ChannelFuture lastWrite, boolean closeConnection) {
        if (current != exchange) {
            return;
        }
        current = null;
        if (closeConnection || untrusted) {
            closing = true;
            waiting.release();
            downstream.closeAfter(lastWrite);
            return;
        }
        if (draining) {
            // The drain began after this response's head promised keep-alive: the client may send
            // its next request at any moment. Treat the connection as idle at the drain's start.
            scheduleIdleClose();
        }
        continueWaiting();
    }

    /** Serves what arrived while nothing could take it: the rest of a request, or the next ones. */
    private void continueWaiting() {
        // Body parts of a request just started belong to its exchange.
        waiting.feed(current);
        while (current == null && !awaitingKeys && !waiting.isEmpty() && !closing) {
            dispatch(waiting.next());
            waiting.feed(current);
        }
        if (current != null && !reading) {
            // No read of the client ends here to flush what the queued request wrote upstream
            // (on a warm pool, its head and body): without this it waits for the upstream's timeout.
            current.flushUpstream();
        }
        readinessChanged();
    }

    @Override
    public void upgraded(Exchange exchange, Channel upstream) {
        if (current != exchange) {
            upstream.close();
            return;
        }
        current = null;
        if (!waiting.isEmpty()) {
            // The client sent more before the 101: it would be read as the new protocol. Refuse.
            waiting.release();
            upstream.close();
            downstream.close();
            return;
        }
        Tunnel.open(downstream.tunnelPipeline(), upstream, snapshot.http().idleTimeout(),
                new Tunnel.Owner(snapshot.name(), snapshot.host().map(HostScope::label), peer.chain(),
                        exchange.tokenAcceptedUntil(), reason -> snapshot.observer().tunnelClosed(snapshot.name(), reason)));
    }

    /** Reads from the client while what it sends can be used at once ({@link WaitingMessages#readingUseful}). */
    @Override
    public void readinessChanged() {
        boolean read = !closing && !awaitingKeys && waiting.readingUseful(current);
        if (downstream.reading() != read) {
            downstream.reading(read);
        }
    }
}
