package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.identity.IdentityHeaderWriter;
import io.mtlsgateway.gateway.upstream.EndpointPool;
import io.mtlsgateway.gateway.upstream.UpstreamCluster;
import io.mtlsgateway.gateway.upstream.UpstreamListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One request relayed to an upstream and its response relayed back, streaming both bodies with
 * backpressure: a side that cannot write stops the other side from reading. Runs entirely on the
 * downstream connection's event loop, which is also the upstream connection's loop.
 */
final class Exchange implements UpstreamListener {
    private final ExchangeOwner owner;
    private final ChannelHandlerContext downstream;
    private final UpstreamCluster cluster;
    private final HttpRequest request;
    private final boolean clientKeepAlive;
    private final IdentityHeaderWriter identityHeaders;
    private final RequestPlan.Forward plan;
    private final boolean via;
    /** Body parts that arrived before the upstream connection was ready; made when the first does. */
    private ArrayDeque<HttpObject> pendingBody;
    private final RequestRecord record;

    private UpstreamCluster.Lease lease;
    private ScheduledFuture<?> responseTimeout;
    private boolean requestComplete;
    private boolean responseStarted;
    private boolean upstreamKeepAlive;
    private boolean closeAfterResponse;
    private boolean finished;
    private boolean retried;

    /** @param plan what the planner decided: upgrade relayed (a 101 turns this into a tunnel), retryable */
    Exchange(ExchangeOwner owner, ChannelHandlerContext downstream, UpstreamCluster cluster, HttpRequest request,
            RequestPlan.Forward plan, boolean clientKeepAlive, IdentityHeaderWriter identityHeaders, boolean via,
            RequestRecord record) {
        this.record = record;
        this.owner = owner;
        this.downstream = downstream;
        this.cluster = cluster;
        this.request = request;
        this.clientKeepAlive = clientKeepAlive;
        this.identityHeaders = identityHeaders;
        this.plan = plan;
        this.via = via;
    }

    boolean requestComplete() {
        return requestComplete;
    }

    /** Whether more of the request body can be written upstream right now. */
    boolean wantsRequestData() {
        return !finished && !requestComplete && lease != null && lease.channel().isWritable();
    }

    void start() {
        start(null);
    }

    /** @param avoid the endpoint that just failed this request, when retrying */
    private void start(EndpointPool avoid) {
        cluster.acquire(avoid, downstream.channel()).addListener((Future<UpstreamCluster.Lease> f) -> {
            if (finished) {
                if (f.isSuccess()) {
                    f.getNow().giveBack();
                }
            } else if (f.isSuccess()) {
                onConnected(f.getNow());
            } else {
                fail(UpstreamFailures.classify(f.cause()));
            }
        });
    }

    private void onConnected(UpstreamCluster.Lease newLease) {
        lease = newLease;
        lease.attach(this);
        record.upstreamEndpoint(lease.pool().endpoint().toString());
        Channel upstream = lease.channel();
        // Every message is retained by the write; a failed write closes the connection, which
        // reports back through onUpstreamClosed.
        upstream.write(request).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        HttpObject part;
        while (pendingBody != null && (part = pendingBody.poll()) != null) {
            upstream.write(part).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        if (retried) {
            // The first attempt took the request's (empty) end with it; the encoder needs one too,
            // or it would wait for body content and refuse the connection's next request.
            upstream.write(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        if (!owner.reading()) {
            upstream.flush();
        }
        if (requestComplete) {
            armResponseTimeout();
        }
        owner.readinessChanged();
    }

    /**
     * The response timeout counts from the end of the request (as Envoy's does): a long upload
     * is not the upstream being slow to answer.
     */
    private void armResponseTimeout() {
        if (responseTimeout == null && !responseStarted) {
            long timeoutMillis = cluster.responseTimeout().toMillis();
            responseTimeout = downstream.executor().schedule(this::onResponseTimeout, timeoutMillis,
                    TimeUnit.MILLISECONDS);
        }
    }

    /** A request body part from the client. */
    void onRequestPart(HttpObject part) {
        if (finished) {
            ReferenceCountUtil.release(part);
            return;
        }
        if (part.decoderResult().isFailure()) {
            // A malformed chunk: the rest of the stream cannot be framed. Never forward it.
            ReferenceCountUtil.release(part);
            requestComplete = true;
            if (responseStarted) {
                // A status line went out already: a second response cannot follow it.
                abort();
                downstream.close();
            } else {
                fail(ProxyError.MALFORMED_REQUEST, true);
            }
            return;
        }
        if (part instanceof HttpContent content) {
            record.addBytesIn(content.content().readableBytes());
        }
        if (part instanceof LastHttpContent last) {
            identityHeaders.stripTrailers(last.trailingHeaders());
            requestComplete = true;
        }
        if (lease == null) {
            if (pendingBody == null) {
                pendingBody = new ArrayDeque<>(4);
            }
            pendingBody.add(part);
        } else {
            lease.channel().write(part).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            if (requestComplete) {
                armResponseTimeout();
            }
        }
    }

    void flushUpstream() {
        if (lease != null && !finished) {
            lease.channel().flush();
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
        if (message instanceof HttpResponse response) {
            onResponseHead(response);
        }
        if (message instanceof HttpContent content && !finished) {
            onResponseContent(content);
        } else {
            ReferenceCountUtil.release(message);
        }
    }

    private void onResponseHead(HttpResponse response) {
        int code = response.status().code();
        if (code == 101) {
            if (plan.upgrade() && requestComplete) {
                startUpgrade(response);
            } else {
                upstreamFailed(ProxyError.UPSTREAM_UNEXPECTED_UPGRADE);
            }
            return;
        }
        if (code >= 100 && code < 200) {
            // 100 Continue was already answered by the gateway itself.
            return;
        }
        responseStarted = true;
        record.status(code);
        cancelTimeout();
        lease.succeeded();
        upstreamKeepAlive = HttpUtil.isKeepAlive(response);
        boolean noBody = request.method().equals(HttpMethod.HEAD) || code == 204 || code == 304;
        closeAfterResponse = !clientKeepAlive || owner.draining();
        boolean chunked = false;
        if (!HttpUtil.isContentLengthSet(response) && !noBody) {
            if (request.protocolVersion().equals(HttpVersion.HTTP_1_0) || !clientKeepAlive) {
                // No chunked coding for this client: the end of the body is the end of the connection.
                closeAfterResponse = true;
            } else {
                chunked = true;
            }
        }
        downstream.write(RelayedResponses.head(response, via, chunked, closeAfterResponse))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /**
     * Relays the 101 with the protocol it names and switches both connections to a byte tunnel at
     * once: every byte either side sends after the 101 head is the new protocol's.
     */
    private void startUpgrade(HttpResponse response) {
        responseStarted = true;
        cancelTimeout();
        lease.succeeded();
        // Nothing from the client may reach the upstream's HTTP decoder position any more.
        downstream.channel().config().setAutoRead(false);
        downstream.write(RelayedResponses.switchingProtocols(response, via))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        switchToTunnel();
    }

    private void switchToTunnel() {
        finished = true;
        Channel upstream = lease.channel();
        lease.handOver();
        downstream.flush();
        owner.upgraded(this, upstream);
    }

    private void onResponseContent(HttpContent content) {
        if (!responseStarted) {
            ReferenceCountUtil.release(content);
            return;
        }
        record.addBytesOut(content.content().readableBytes());
        if (content instanceof LastHttpContent) {
            // Counted before the last write, so a client that has the response sees it counted.
            owner.requestDone(record);
            ChannelFuture written = downstream.writeAndFlush(content);
            written.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            complete(written);
            return;
        }
        downstream.write(content).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (!downstream.channel().isWritable()) {
            lease.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        if (!finished) {
            downstream.flush();
        }
    }

    private void complete(ChannelFuture lastWrite) {
        finished = true;
        cancelTimeout();
        lease.channel().config().setAutoRead(true);
        // Reuse only a connection whose exchange ended cleanly on both sides.
        if (requestComplete && upstreamKeepAlive) {
            lease.giveBack();
        } else {
            lease.discard();
        }
        // A response that came before the whole request leaves unread body bytes: close.
        owner.exchangeFinished(this, lastWrite, closeAfterResponse || !requestComplete);
    }

    void onDownstreamWritabilityChanged(boolean writable) {
        if (lease != null && !finished) {
            lease.channel().config().setAutoRead(writable);
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
        if (!responseStarted && !retried && requestComplete && plan.retryable()) {
            // Nothing came back, and the request is idempotent and small enough to still have
            // whole (no body): sending it once more, to another endpoint, cannot do harm twice.
            retried = true;
            cancelTimeout();
            lease.failed();
            EndpointPool failed = lease.pool();
            lease.discard();
            lease = null;
            start(failed);
            return;
        }
        upstreamFailed(responseStarted ? ProxyError.UPSTREAM_RESET : UpstreamFailures.closed(cause));
    }

    @Override
    public void onUpstreamIdle() {
        if (!finished) {
            upstreamFailed(ProxyError.UPSTREAM_IDLE);
        }
    }

    private void onResponseTimeout() {
        if (!finished && !responseStarted) {
            upstreamFailed(ProxyError.UPSTREAM_TIMEOUT);
        }
    }

    /** The upstream side broke: answer with an error if nothing was sent yet, else cut the client off. */
    private void upstreamFailed(ProxyError error) {
        record.upstreamError(error);
        if (lease != null) {
            lease.failed();
        }
        if (responseStarted) {
            abort();
            downstream.close();
        } else {
            fail(error);
        }
    }

    /** Ends the exchange with the gateway's own error response. */
    private void fail(ProxyError error) {
        fail(error, false);
    }

    /** @param mustClose the client connection cannot be trusted any more (a framing error) */
    private void fail(ProxyError error, boolean mustClose) {
        if (error.upstream()) {
            record.upstreamError(error);
        }
        finished = true;
        cancelTimeout();
        if (lease != null) {
            lease.discard();
        }
        releasePending();
        boolean close = mustClose || !requestComplete || !clientKeepAlive || owner.draining();
        ChannelFuture written = ErrorResponses.write(downstream, error, null, close, record,
                owner::requestDone);
        owner.exchangeFinished(this, written, close);
    }

    /** The client stopped sending the request body in time: 408, or a close once the response started. */
    void bodyTimedOut() {
        if (finished) {
            return;
        }
        if (responseStarted) {
            abort();
            downstream.close();
        } else {
            fail(ProxyError.BODY_READ_TIMEOUT, true);
        }
    }

    /** Ends the exchange at once (the client went away, or the response broke midway). */
    void abort() {
        if (finished) {
            return;
        }
        finished = true;
        if (responseStarted) {
            // The status line went out but not the whole response: that is what the client got.
            record.truncated();
        }
        cancelTimeout();
        if (lease != null) {
            lease.discard();
        }
        releasePending();
        owner.requestDone(record);
    }

    private void cancelTimeout() {
        if (responseTimeout != null) {
            responseTimeout.cancel(false);
            responseTimeout = null;
        }
    }

    private void releasePending() {
        HttpObject part;
        while (pendingBody != null && (part = pendingBody.poll()) != null) {
            ReferenceCountUtil.release(part);
        }
    }
}
