package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.ConnectionHeader;
import io.mtlsgateway.gateway.identity.PeerHeaders;
import io.mtlsgateway.gateway.jwt.TokenRefusal;
import io.mtlsgateway.gateway.jwt.TokenRefusalLog;
import io.mtlsgateway.gateway.pipeline.Downstream;
import io.mtlsgateway.gateway.pipeline.VerifiedPeer;
import io.mtlsgateway.gateway.routing.Route;
import io.mtlsgateway.gateway.upstream.UpstreamCluster;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * How one request starts once its head is read: planned ({@link RequestPlanner}), then answered
 * by the gateway itself, held for its token issuer's keys, or given to a new {@link Exchange}. It
 * knows nothing of the connection's other requests: it says what it did as a {@link Step}, and
 * {@link DownstreamRequests} goes on from there.
 */
final class RequestStarter {
    /** What became of the request. */
    sealed interface Step {}

    /**
     * The gateway answered the request itself.
     *
     * @param closeAfter the connection closes after the answer
     * @param skipBody the rest of the request (its body) is read and dropped
     */
    record Answered(boolean closeAfter, boolean skipBody) implements Step {}

    /** The request goes upstream: {@code exchange} is made, not started yet. */
    record Forwarded(Exchange exchange) implements Step {}

    /** Nothing more of the connection is read until {@code keys} completes; then the request is started again. */
    record AwaitingKeys(CompletableFuture<Void> keys) implements Step {}

    private final HttpStageSnapshot snapshot;
    private final RequestPlanner planner;
    private final VerifiedPeer peer;
    /** The client's identity headers, rendered once for all its requests. */
    private final PeerHeaders peerHeaders;
    private final Downstream downstream;
    private final ClientLimits limits;
    private final ExchangeOwner owner;

    /**
     * @param limits the client's standing against its per-identity limits; null when nothing is limited
     * @param owner the connection's requests: the owner of each exchange, told when an answer is done
     * @param peerHeaders the client's identity headers, rendered once for its connection
     */
    RequestStarter(HttpStageSnapshot snapshot, VerifiedPeer peer, Downstream downstream, ClientLimits limits,
            ExchangeOwner owner, PeerHeaders peerHeaders) {
        this.snapshot = snapshot;
        this.planner = snapshot.planner();
        this.peer = peer;
        this.peerHeaders = peerHeaders;
        this.downstream = downstream;
        this.limits = limits;
        this.owner = owner;
    }

    /** The record of a request whose head was just read; the observer is told it started. */
    RequestRecord open(HttpRequest request) {
        RequestRecord record = new RequestRecord(snapshot.name(), request.method().name(), request.uri(),
                peer.identity());
        snapshot.host().ifPresent(scope -> record.host(scope.label()));
        if (downstream.streamId() != 0) {
            record.protocol("h2", downstream.streamId());
        }
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        record.grpc(contentType != null && contentType.regionMatches(true, 0, "application/grpc", 0, 16));
        record.http10(!request.protocolVersion().isKeepAliveDefault());
        snapshot.observer().requestStarted(record);
        return record;
    }

    /**
     * @param mayAwaitKeys false once the request waited for its issuer's keys: a key still unknown is refused
     * @param draining the gateway is stopping: an answer closes the connection
     */
    Step start(HttpRequest request, RequestHead head, RequestRecord record, boolean mayAwaitKeys, boolean draining) {
        RequestPlan plan = planner.plan(head, peer.identity());
        if (plan instanceof RequestPlan.ServerOptions) {
            return answerServerOptions(request, head, record, draining);
        }
        if (plan instanceof RequestPlan.AwaitKeys await) {
            if (mayAwaitKeys) {
                return new AwaitingKeys(await.keys());
            }
            plan = await.otherwise();
        }
        if (plan instanceof RequestPlan.Reject reject) {
            reject.route().ifPresent(route -> record.route(route.name(), route.upstream()));
            return reject(request, head, reject, record, draining);
        }
        RequestPlan.Forward forward = (RequestPlan.Forward) plan;
        record.route(forward.route().name(), forward.route().upstream());
        if (limits != null) {
            ClientLimits.Refusal refusal = limits.admit(forward.route().name(), record);
            if (refusal != null) {
                return tooMany(request, head, forward.route().name(), record, refusal, draining);
            }
        }
        GrpcTimeout.Parsed timeout = record.grpc() ? GrpcTimeout.of(head.headers().all(GrpcTimeout.FIELD))
                : new GrpcTimeout.Absent();
        if (timeout instanceof GrpcTimeout.Malformed) {
            return reject(request, head, new RequestPlan.Reject(ProxyError.INVALID_GRPC_TIMEOUT,
                    Optional.of(forward.route()), false), record, draining);
        }
        HttpRequest upstreamRequest = ForwardedRequest.of(request, forward, snapshot.identityHeaders(),
                peerHeaders, peer.clientAddress(), snapshot.http().via(),
                () -> snapshot.observer().xfccTrimmed(snapshot.name()));
        if (forward.expectContinue()) {
            downstream.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE),
                    false);
        }
        UpstreamCluster cluster = snapshot.upstreams().cluster(downstream.eventLoop(), forward.route().upstream());
        Exchange exchange = new Exchange(owner, downstream, cluster, upstreamRequest, request.protocolVersion(), forward,
                head.keepAlive(), snapshot.identityHeaders(), snapshot.http().via(), record);
        if (timeout instanceof GrpcTimeout.Timeout deadline) {
            exchange.deadline(deadline.value());
        }
        return new Forwarded(exchange);
    }

    /**
     * Whether an answer of the gateway's own closes the connection. A request without a body may
     * keep it; one with a body closes it rather than read a body nobody wants.
     */
    private static boolean closesAfterAnswer(RequestHead head, boolean draining) {
        return head.chunked() || head.contentLength() > 0 || !head.keepAlive() || draining;
    }

    private Step reject(HttpRequest request, RequestHead head, RequestPlan.Reject reject, RequestRecord record,
            boolean draining) {
        boolean closeAfter = reject.mustClose() || closesAfterAnswer(head, draining);
        String route = reject.route().map(Route::name).orElse(null);
        reject.token().ifPresent(refusal -> {
            record.tokenRefusal(refusal.reason());
            TokenRefusalLog.log(route, peer.identity(), refusal);
        });
        ErrorResponses.write(downstream, reject.error(), route, closeAfter, record, owner::requestDone,
                reject.token().map(TokenRefusal::challenge).orElse(null));
        return new Answered(closeAfter, !(request instanceof LastHttpContent));
    }

    /** Over a per-identity limit: 429 with Retry-After; over the connection cap the connection closes. */
    private Step tooMany(HttpRequest request, RequestHead head, String route, RequestRecord record,
            ClientLimits.Refusal refusal, boolean draining) {
        boolean closeAfter = refusal.close() || closesAfterAnswer(head, draining);
        ErrorResponses.write(downstream, ProxyError.TOO_MANY_REQUESTS, route, closeAfter, record, owner::requestDone,
                refusal.retryAfterSeconds());
        if (refusal.close()) {
            downstream.connectionCapExceeded();
        }
        return new Answered(closeAfter, !(request instanceof LastHttpContent));
    }

    /** {@code OPTIONS *}: 204 with the methods the gateway forwards. */
    private Step answerServerOptions(HttpRequest request, RequestHead head, RequestRecord record,
            boolean draining) {
        boolean closeAfter = closesAfterAnswer(head, draining);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        response.headers().set(HttpHeaderNames.ALLOW, String.join(", ", RequestCheck.FORWARDED_METHODS));
        ConnectionHeader.set(response.headers(), request.protocolVersion(), closeAfter);
        record.status(HttpResponseStatus.NO_CONTENT.code());
        owner.requestDone(record);
        downstream.writeAndFlush(response, closeAfter);
        return new Answered(closeAfter, false);
    }
}
