package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.pipeline.Downstream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.function.Consumer;

/**
 * The response's way to the client: its head, framed for this client (a length, chunked coding, or
 * the end of the connection), then its body, reading the upstream only while the client keeps up;
 * or the gateway's own error answer instead. Either way it decides whether the connection closes after.
 */
final class ResponseRelay {
    private final Downstream downstream;
    private final HttpMethod method;
    /** The client's version, not the upstream request's (always HTTP/1.1): it decides the framing. */
    private final HttpVersion clientVersion;
    private final boolean clientKeepAlive;
    private final boolean via;
    private final RequestRecord record;
    private boolean started;
    private boolean upstreamKeepAlive;
    private boolean closeAfter;

    /** @param method and {@code clientVersion}: the client's request's, they decide how the body is framed */
    ResponseRelay(Downstream downstream, HttpMethod method, HttpVersion clientVersion,
            boolean clientKeepAlive, boolean via, RequestRecord record) {
        this.downstream = downstream;
        this.method = method;
        this.clientVersion = clientVersion;
        this.clientKeepAlive = clientKeepAlive;
        this.via = via;
        this.record = record;
    }

    /** Whether a status line went out to the client: no other response can follow it. */
    boolean started() {
        return started;
    }

    /** Whether the upstream offered its connection for another request. */
    boolean upstreamKeepAlive() {
        return upstreamKeepAlive;
    }

    /** Whether the client connection closes once this response is out. */
    boolean closeAfter() {
        return closeAfter;
    }

    /**
     * Writes the head of the final (non-1xx) response.
     *
     * @param draining the gateway is stopping: the response closes the connection
     */
    void head(HttpResponse response, boolean draining) {
        downstream.write(framed(response, draining));
    }

    /**
     * A whole response in one message (from an h2 upstream whose answer ended with its HEADERS,
     * such as gRPC's trailers-only form) framed for this client, to be relayed as one by {@link #last}.
     */
    FullHttpResponse whole(FullHttpResponse response, boolean draining) {
        HttpResponse head = framed(response, draining);
        return new DefaultFullHttpResponse(head.protocolVersion(), head.status(), response.content(), head.headers(),
                response.trailingHeaders());
    }

    /** The head of the final (non-1xx) response as this client gets it. */
    private HttpResponse framed(HttpResponse response, boolean draining) {
        int code = response.status().code();
        started = true;
        record.status(code);
        upstreamKeepAlive = HttpUtil.isKeepAlive(response);
        boolean noBody = method.equals(HttpMethod.HEAD) || code == 204 || code == 304;
        closeAfter = !clientKeepAlive || draining;
        boolean chunked = false;
        if (!HttpUtil.isContentLengthSet(response) && !noBody) {
            if (clientVersion.equals(HttpVersion.HTTP_1_0) || !clientKeepAlive) {
                // No chunked coding for this client: the end of the body is the end of the connection.
                closeAfter = true;
            } else {
                chunked = true;
            }
        }
        return RelayedResponses.head(response, via, chunked, clientVersion, closeAfter);
    }

    /**
     * The gateway's own error answer, written and flushed in place of a response that never started.
     *
     * @param mustClose the client connection cannot go on after it (a framing error, or request body left unread)
     * @param draining the gateway is stopping
     * @param counted told once the request is complete
     */
    ChannelFuture error(ProxyError error, boolean mustClose, boolean draining, Consumer<RequestRecord> counted) {
        closeAfter = mustClose || !clientKeepAlive || draining;
        return ErrorResponses.write(downstream, error, null, closeAfter, record, counted);
    }

    /**
     * Writes and flushes a 101 with the protocol it names, and stops reading the client: every byte it sends
     * after this belongs to the new protocol, never to the upstream's HTTP decoder.
     */
    void switchingProtocols(HttpResponse response) {
        started = true;
        downstream.reading(false);
        downstream.writeAndFlush(RelayedResponses.switchingProtocols(response, via), false);
    }

    /** A body part that is not the last; a client that cannot take more stops {@code upstream}'s reads. */
    void content(HttpContent content, Channel upstream) {
        record.addBytesOut(content.content().readableBytes());
        downstream.write(content);
        if (!downstream.isWritable()) {
            upstream.config().setAutoRead(false);
        }
    }

    /**
     * The last body part, written and flushed.
     *
     * @param counted run once the record is complete, before the write: a client that has the
     *     whole response sees it counted
     */
    ChannelFuture last(LastHttpContent last, Runnable counted) {
        record.addBytesOut(last.content().readableBytes());
        counted.run();
        return downstream.writeAndFlush(last, false);
    }
}
