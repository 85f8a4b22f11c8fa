package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.identity.IdentityHeaderWriter;
import io.mtlsgateway.gateway.pipeline.Downstream;
import io.mtlsgateway.gateway.upstream.EndpointPool;
import io.mtlsgateway.gateway.upstream.UpstreamCluster;
import io.mtlsgateway.gateway.upstream.UpstreamListener;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One request relayed to an upstream and its response relayed back, streaming both bodies with
 * backpressure: a side that cannot write stops the other side from reading. Runs entirely on the
 * downstream connection's event loop, which is also the upstream connection's loop. This class
 * holds the exchange's course (lease, retry, upgrade, the end or the error answer); its hold on the
 * upstream connection is {@link UpstreamAttempts}, the two directions are {@link RequestRelay} and
 * {@link ResponseRelay}, the clocks its response head races are {@link ResponseDeadlines}.
 */
final class Exchange implements UpstreamListener, UpstreamCluster.LeaseListener {
    private final ExchangeOwner owner;
    private final Downstream downstream;
    private final RequestPlan.Forward plan;
    private final RequestRecord record;
    private final RequestRelay request;
    private final ResponseRelay response;
    private final ResponseDeadlines deadlines;
    private final UpstreamAttempts upstream;
    private boolean finished;

    /**
     * @param upstreamRequest the head to send upstream
     * @param clientVersion the HTTP version the client spoke (the response is framed for it)
     * @param plan what the planner decided: upgrade relayed (a 101 turns this into a tunnel), retryable
     */
    Exchange(ExchangeOwner owner, Downstream downstream, UpstreamCluster cluster,
            HttpRequest upstreamRequest, HttpVersion clientVersion, RequestPlan.Forward plan, boolean clientKeepAlive,
            IdentityHeaderWriter identityHeaders, boolean via, RequestRecord record) {
        this.record = record;
        this.owner = owner;
        this.downstream = downstream;
        this.plan = plan;
        this.upstream = new UpstreamAttempts(cluster, plan.retryable());
        this.request = new RequestRelay(upstreamRequest, identityHeaders, record);
        this.response = new ResponseRelay(downstream, upstreamRequest.method(), clientVersion, clientKeepAlive, via,
                record);
        this.deadlines = new ResponseDeadlines(downstream.eventLoop(), owner.responseClock(), cluster.responseTimeout(),
                this::onLate);
    }

    /** Until when the request's token is accepted, on a route that asked for one: a tunnel it opens ends then. */
    Optional<Instant> tokenAcceptedUntil() {
        return plan.token().flatMap(token -> plan.tokenPolicy().map(policy -> policy.acceptedUntil(token)));
    }

    boolean requestComplete() {
        return request.complete();
    }

    /** Whether more of the request body can be written upstream right now. */
    boolean wantsRequestData() {
        return !finished && request.wantsData();
    }

    void start() {
        start(null);
    }

    /**
     * A gRPC call's {@code grpc-timeout}: no response head {@code timeout} from now is answered
     * with DEADLINE_EXCEEDED and the upstream exchange given up (connection closed, stream reset).
     */
    void deadline(Duration timeout) {
        deadlines.callDeadline(timeout);
    }

    /** No response head in time: the route's timeout, or the call's deadline. */
    private void onLate(ProxyError error) {
        if (!finished && !response.started()) {
            if (error == ProxyError.DEADLINE_EXCEEDED) {
                fail(error, false); // the client chose the deadline: not held against the endpoint's health
            } else {
                upstreamFailed(error);
            }
        }
    }

    /** @param avoid the endpoint that just failed this request, when retrying */
    private void start(EndpointPool avoid) {
        // Keyed by the client's connection, not the h2 stream (a new one per request): the pool's
        // safe reuse gives a connection just given back to the same client connection at once.
        upstream.acquire(avoid, downstream.connection(), this);
    }

    @Override
    public void leased(UpstreamCluster.Lease lease) {
        if (!upstream.arrived(lease, finished)) {
            return;
        }
        lease.attach(this);
        record.upstreamEndpoint(lease.pool().endpointText());
        request.connected(lease.channel(), upstream.retried());
        if (!owner.reading()) {
            request.flush();
        }
        startResponseTimeoutOnceSent();
        owner.readinessChanged();
    }

    @Override
    public void notLeased(Throwable cause) {
        if (!finished) {
            fail(UpstreamFailures.classify(cause), false);
        }
    }

    /** The route's response timeout counts from the moment the whole request is upstream. */
    private void startResponseTimeoutOnceSent() {
        if (request.complete() && request.connected() && !response.started()) {
            deadlines.requestSent();
        }
    }

    /** A request body part from the client. */
    void onRequestPart(HttpObject part) {
        if (finished) {
            ReferenceCountUtil.release(part);
            return;
        }
        if (request.add(part)) {
            startResponseTimeoutOnceSent();
        } else {
            answerOrCutOff(ProxyError.MALFORMED_REQUEST, true);
        }
    }

    void flushUpstream() {
        if (!finished) {
            request.flush();
        }
    }

    @Override
    public void onResponse(HttpObject message) {
        if (finished) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (message.decoderResult().isFailure()) {
            ReferenceCountUtil.release(message);
            upstreamFailed(ProxyError.UPSTREAM_PROTOCOL_ERROR);
            return;
        }
        if (message instanceof FullHttpResponse whole && whole.status().code() >= 200) {
            // Only from an h2 upstream: a response that ended with its HEADERS (a gRPC
            // trailers-only answer). Relayed as one message, so an h2 client gets it the same way.
            deadlines.cancel();
            upstream.answered();
            FullHttpResponse framed = response.whole(whole, owner.draining());
            finish();
            lastPartWritten(response.last(framed, () -> owner.requestDone(record)));
            return;
        }
        if (message instanceof HttpResponse head) {
            onResponseHead(head);
        }
        boolean relayed = !finished && response.started();
        if (message instanceof LastHttpContent last && relayed) {
            finish();
            lastPartWritten(response.last(last, () -> owner.requestDone(record)));
        } else if (message instanceof HttpContent content && relayed) {
            response.content(content, upstream.channel());
        } else {
            ReferenceCountUtil.release(message);
        }
    }

    private void onResponseHead(HttpResponse head) {
        int code = head.status().code();
        if (code == 101) {
            if (plan.upgrade() && request.complete()) {
                startTunnel(head);
            } else {
                upstreamFailed(ProxyError.UPSTREAM_UNEXPECTED_UPGRADE);
            }
            return;
        }
        if (code >= 100 && code < 200) {
            // 100 Continue was already answered by the gateway itself.
            return;
        }
        deadlines.cancel();
        upstream.answered();
        response.head(head, owner.draining());
    }

    /**
     * Relays the 101 and switches both connections to a byte tunnel at once: every byte either
     * side sends after the 101 head is the new protocol's.
     */
    private void startTunnel(HttpResponse head) {
        deadlines.cancel();
        upstream.answered();
        response.switchingProtocols(head);
        finished = true;
        owner.upgraded(this, upstream.handOver());
    }

    @Override
    public void onUpstreamReadComplete() {
        if (!finished) {
            downstream.flush();
        }
    }

    /**
     * Ends the exchange before the response's last part is written ({@link #lastPartWritten} once it is).
     * In that order: the write may end the client's h2 stream before it returns (a flush that
     * leaves at once completes the stream's last frame, and the codec closes the stream), and the
     * request stage then hears of the closed stream while the write is under way. It must find the
     * exchange over and its upstream connection back in the pool, not an exchange to abort (which
     * would close a connection fit for reuse, mark a whole response truncated and count the
     * request's end twice).
     */
    private void finish() {
        finished = true;
        deadlines.cancel();
        // Reuse only a connection whose exchange ended cleanly on both sides.
        upstream.finished(request.complete() && response.upstreamKeepAlive());
    }

    /** The response's last part is written: the owner goes on with the connection. */
    private void lastPartWritten(ChannelFuture lastWrite) {
        // A response that came before the whole request leaves unread body bytes: close.
        owner.exchangeFinished(this, lastWrite, response.closeAfter() || !request.complete());
    }

    void onDownstreamWritabilityChanged(boolean writable) {
        if (!finished) {
            upstream.reading(writable);
        }
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        owner.readinessChanged();
    }

    @Override
    public void onUpstreamClosed(Throwable cause) {
        if (finished) {
            return;
        }
        if (!response.started() && deadlines.callDeadlinePassed()) {
            onLate(ProxyError.DEADLINE_EXCEEDED); // the upstream gave up at the deadline too: no retry, no 502
            return;
        }
        if (upstream.take(cause, response.started(), request.complete())) {
            deadlines.retrying();
            EndpointPool failed = upstream.retrying(cause);
            request.disconnected();
            start(failed);
            return;
        }
        upstreamFailed(response.started() ? ProxyError.UPSTREAM_RESET : UpstreamFailures.closed(cause));
    }

    @Override
    public void onUpstreamIdle() {
        if (!finished) {
            upstreamFailed(ProxyError.UPSTREAM_IDLE);
        }
    }

    /** The upstream side broke: answer with an error if nothing was sent yet, else cut the client off. */
    private void upstreamFailed(ProxyError error) {
        record.upstreamError(error);
        upstream.failed();
        answerOrCutOff(error, false);
    }

    /**
     * Ends the exchange with the gateway's own error response, or, once a status line went out
     * (a second response cannot follow it), by cutting the client off.
     */
    private void answerOrCutOff(ProxyError error, boolean mustClose) {
        if (response.started()) {
            abort();
            downstream.close();
        } else {
            fail(error, mustClose);
        }
    }

    /**
     * Ends the exchange with the gateway's own error response.
     *
     * @param mustClose the client connection cannot be trusted any more (a framing error)
     */
    private void fail(ProxyError error, boolean mustClose) {
        if (error.upstream()) {
            record.upstreamError(error);
        }
        end();
        // Request body left unread cannot be skipped reliably: the connection closes.
        ChannelFuture written = response.error(error, mustClose || !request.complete(), owner.draining(),
                owner::requestDone);
        owner.exchangeFinished(this, written, response.closeAfter());
    }

    /** The client stopped sending the request body in time: 408, or a close once the response started. */
    void bodyTimedOut() {
        if (!finished) {
            answerOrCutOff(ProxyError.BODY_READ_TIMEOUT, true);
        }
    }

    /** Ends the exchange at once (the client went away, or the response broke midway). */
    void abort() {
        if (finished) {
            return;
        }
        if (response.started()) {
            // The status line went out but not the whole response: that is what the client got.
            record.truncated();
        }
        end();
        owner.requestDone(record);
    }

    /** The exchange is over before its end: no clock, no upstream connection, no held body. */
    private void end() {
        finished = true;
        deadlines.cancel();
        upstream.discard();
        request.releasePending();
    }
}
