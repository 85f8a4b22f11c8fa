package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.gateway.LogText;
import io.mtlsgateway.gateway.identity.PeerIdentity;
import io.mtlsgateway.gateway.routing.NormalizedPath;
import io.mtlsgateway.gateway.routing.Route;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP stage of a verified downstream connection: checks and routes each request, authorizes
 * the caller, rewrites the headers (client copies of identity headers stripped first, then the
 * trustworthy ones set) and hands the request to an {@link Exchange} that streams it upstream.
 * One request at a time: pipelined requests wait, unread, until the previous response is done.
 */
public final class ProxyHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(ProxyHandler.class.getName());
    /** Our Via entry (RFC 9110 section 7.6.3): a pseudonym, never a host name or version. */
    static final String VIA = "1.1 mtls-gateway";

    private final ListenerRuntime runtime;
    private final PeerIdentity identity;
    /** The client's chain as verified at the handshake, leaf first; empty without a certificate. */
    private final List<X509Certificate> peerChain;
    private final String clientAddress;
    private final ArrayDeque<HttpObject> waiting = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
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

    /**
     * @param identity the verified client, or null when the client sent no certificate
     * @param peerChain the chain the client was verified with, leaf first (empty without one)
     * @param clientAddress the client's IP address, for X-Forwarded-For
     */
    public ProxyHandler(ListenerRuntime runtime, PeerIdentity identity, List<X509Certificate> peerChain,
            String clientAddress) {
        this.runtime = runtime;
        this.identity = identity;
        this.peerChain = List.copyOf(peerChain);
        this.clientAddress = clientAddress;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (!(msg instanceof HttpObject http) || closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        reading = true;
        if (current != null && !current.requestComplete()) {
            current.onRequestPart(http);
        } else if (current != null || !waiting.isEmpty()) {
            waiting.add(http);
        } else {
            dispatch(http);
        }
        updateRead();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        reading = false;
        if (current != null) {
            current.flushUpstream();
        }
        context.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        if (current != null) {
            current.onDownstreamWritabilityChanged(context.channel().isWritable());
        }
        context.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object evt) {
        if (evt instanceof TrustChangedEvent change && change.listener().equals(runtime.name())
                && !peerChain.isEmpty() && !untrusted && !change.stillTrusted().test(peerChain)) {
            LOG.log(Level.WARNING, "listener {0}: closing the connection of {1} (subject \"{2}\", serial {3}): "
                    + "the reloaded trust material no longer accepts its certificate",
                    new Object[] {runtime.name(), clientAddress, LogText.of(identity.subject()), identity.serial()});
            untrusted = true;
            draining = true;
            releaseWaiting();
            if (current == null) {
                closing = true;
                context.close();
            }
        }
        if (evt instanceof DrainEvent) {
            draining = true;
            if (current == null && waiting.isEmpty()) {
                // Idle keep-alive connection: nothing in flight to wait for.
                closing = true;
                context.close();
            }
        }
        context.fireUserEventTriggered(evt);
    }

    boolean draining() {
        return draining;
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        closing = true;
        if (current != null) {
            current.abort();
            current = null;
        }
        releaseWaiting();
        context.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        LOG.log(Level.WARNING, "listener {0}: closing connection from {1}: {2}",
                new Object[] {runtime.name(), clientAddress, LogText.of(cause)});
        LOG.log(Level.FINE, "connection error", cause);
        context.close();
    }

    private void dispatch(HttpObject msg) {
        if (untrusted) {
            ReferenceCountUtil.release(msg);
            closing = true;
            ctx.close();
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
        RequestRecord record = new RequestRecord(runtime.name(), request.method().name(), request.uri(), identity);
        runtime.observer().requestStarted(record);
        RequestCheck.Result checked = RequestCheck.check(request, runtime.http().maxHeaderCount());
        if (checked.rejected()) {
            // The codec cannot be trusted to find the next request after a framing error: close.
            reject(request, checked.rejectStatus(), checked.rejectCode(), null, true, record);
            return;
        }
        String expect = request.headers().get(HttpHeaderNames.EXPECT);
        if (expect != null && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.trim())) {
            reject(request, HttpResponseStatus.EXPECTATION_FAILED, "expectation_failed", null, false, record);
            return;
        }
        HttpHeaders headers = request.headers();
        NormalizedPath path = checked.path();
        Optional<Route> matched = runtime.routes().match(checked.host(), path.path(), headers::get);
        if (matched.isEmpty()) {
            reject(request, HttpResponseStatus.NOT_FOUND, "no_route", null, false, record);
            return;
        }
        Route route = matched.get();
        record.route(route.name(), route.upstream());
        if (!route.policy().allows(identity)) {
            reject(request, HttpResponseStatus.FORBIDDEN, "forbidden", route.name(), false, record);
            return;
        }
        boolean upgrade = isUpgrade(request);
        HttpRequest upstreamRequest = upstreamRequest(request, route, path, checked.host(), upgrade);
        if (expect != null) {
            // Routing and authorization are done on the headers alone: only now invite the body.
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        UpstreamCluster cluster = runtime.upstreams().cluster(ctx.channel().eventLoop(), route.upstream());
        current = new Exchange(this, ctx, cluster, upstreamRequest, HttpUtil.isKeepAlive(request),
                runtime.identityHeaders(), upgrade, runtime.http().via(), record);
        current.start();
    }

    /**
     * A protocol switch the gateway relays: {@code Connection: upgrade} with an {@code Upgrade}
     * header on a request without a body. Never h2c: after it the client could send any request
     * to the upstream inside the tunnel, past routing and authorization.
     */
    private static boolean isUpgrade(HttpRequest request) {
        String protocols = request.headers().get(HttpHeaderNames.UPGRADE);
        if (protocols == null || protocols.isBlank() || !request.protocolVersion().equals(HttpVersion.HTTP_1_1)
                || !request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                || HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) != 0) {
            return false;
        }
        for (String protocol : protocols.split(",")) {
            if (protocol.trim().toLowerCase(java.util.Locale.ROOT).startsWith("h2c")) {
                return false;
            }
        }
        return true;
    }

    private HttpRequest upstreamRequest(HttpRequest request, Route route, NormalizedPath path, String host,
            boolean upgrade) {
        HttpHeaders headers = request.headers().copy();
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        HopByHopHeaders.strip(headers);
        if (upgrade) {
            // The one hop-by-hop exchange we relay: the upstream must see the switch requested.
            headers.set(HttpHeaderNames.UPGRADE, request.headers().get(HttpHeaderNames.UPGRADE));
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        if (runtime.http().via()) {
            headers.add(HttpHeaderNames.VIA, VIA);
        }
        headers.remove(HttpHeaderNames.EXPECT);
        runtime.identityHeaders().strip(headers);
        if (runtime.identityHeaders().set(headers, identity)) {
            runtime.observer().xfccTrimmed(runtime.name());
        }
        headers.set("X-Forwarded-For", clientAddress);
        headers.set("X-Forwarded-Proto", "https");
        headers.set("X-Forwarded-Host", request.headers().get(HttpHeaderNames.HOST));
        String target = route.pathPrefix()
                .map(prefix -> path.rewritePrefix(prefix, route.rewritePrefix()))
                .orElse(path)
                .target();
        HttpRequest upstream = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), target, headers);
        if (chunked) {
            HttpUtil.setTransferEncodingChunked(upstream, true);
        }
        return upstream;
    }

    /**
     * Answers a request the gateway will not forward. A request without a body may keep the
     * connection; one with a body closes it rather than read a body nobody wants.
     */
    private void reject(HttpRequest request, HttpResponseStatus status, String code, String route, boolean close,
            RequestRecord record) {
        // Short-circuit: a request refused for its framing may hold a Content-Length that does not parse.
        boolean closeAfter = close || HttpUtil.isTransferEncodingChunked(request)
                || HttpUtil.getContentLength(request, 0L) > 0 || !HttpUtil.isKeepAlive(request) || draining;
        if (closeAfter) {
            closing = true;
            releaseWaiting();
        } else {
            discardingBody = !(request instanceof LastHttpContent);
        }
        ErrorResponses.write(ctx, status, code, route, closeAfter, record, this::requestDone);
    }

    /** Tells the observer, once, that a request is done. */
    void requestDone(RequestRecord record) {
        if (record.finish()) {
            runtime.observer().requestFinished(record);
        }
    }

    /** Called by the exchange when its response has been written (or it failed). */
    void exchangeFinished(Exchange exchange, ChannelFuture lastWrite, boolean closeConnection) {
        if (current != exchange) {
            return;
        }
        current = null;
        if (closeConnection || draining) {
            closing = true;
            releaseWaiting();
            lastWrite.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        while (current == null && !waiting.isEmpty() && !closing) {
            dispatch(waiting.poll());
        }
        // Body parts of a request started from the queue belong to its exchange now.
        while (current != null && !current.requestComplete() && !waiting.isEmpty()) {
            current.onRequestPart(waiting.poll());
        }
        updateRead();
    }

    /**
     * The upstream agreed to switch protocols and the 101 is on its way to the client: from now on
     * this connection is a byte tunnel to {@code upstream}, and this handler leaves the pipeline.
     */
    void upgraded(Exchange exchange, Channel upstream) {
        if (current != exchange) {
            upstream.close();
            return;
        }
        current = null;
        if (!waiting.isEmpty()) {
            // The client sent more before the 101: it would be read as the new protocol. Refuse.
            releaseWaiting();
            upstream.close();
            ctx.close();
            return;
        }
        Tunnel.open(ctx.pipeline(), upstream, runtime.http().idleTimeout());
    }

    /**
     * Whether messages of the current read may still follow. A request head is not flushed upstream
     * until the read ends, so a malformed body later in the same read (a bad chunk size) aborts the
     * exchange before a single byte of it reaches the upstream.
     */
    boolean reading() {
        return reading;
    }

    /** Reads from the client only when the message read next can be used at once. */
    void updateRead() {
        boolean read = !closing && (current == null ? waiting.isEmpty() : current.wantsRequestData());
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    private void releaseWaiting() {
        HttpObject msg;
        while ((msg = waiting.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }
}
