package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.ConnectionHeader;
import io.mtlsgateway.gateway.Json;
import io.mtlsgateway.gateway.pipeline.Downstream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.function.Consumer;

/** The gateway's own responses: a status and a short JSON body with a stable error code. */
final class ErrorResponses {
    private ErrorResponses() {}

    /** Writes an error response to a request that was never parsed far enough to be recorded. */
    static ChannelFuture write(Downstream downstream, ProxyError error, boolean close) {
        return write(downstream, error, null, close, null, null);
    }

    /**
     * Writes an error response.
     *
     * @param route the matched route's name, or null
     * @param close whether to close the connection after the response
     * @param record the request being answered, told the status and body size; null for none
     * @param done told the request is done, before the response is written: whoever reads the
     *     response can already see it counted
     */
    static ChannelFuture write(Downstream downstream, ProxyError error, String route, boolean close,
            RequestRecord record, Consumer<RequestRecord> done) {
        return write(downstream, error, route, close, record, done, null, 0);
    }

    /** @param retryAfterSeconds sent as {@code Retry-After} (a 429 says when to come back) */
    static ChannelFuture write(Downstream downstream, ProxyError error, String route, boolean close,
            RequestRecord record, Consumer<RequestRecord> done, long retryAfterSeconds) {
        return write(downstream, error, route, close, record, done, null, retryAfterSeconds);
    }

    /**
     * Writes an error response with a {@code WWW-Authenticate} challenge (RFC 6750), when
     * {@code challenge} is not null.
     */
    static ChannelFuture write(Downstream downstream, ProxyError error, String route, boolean close,
            RequestRecord record, Consumer<RequestRecord> done, String challenge) {
        return write(downstream, error, route, close, record, done, challenge, 0);
    }

    private static ChannelFuture write(Downstream downstream, ProxyError error, String route, boolean close,
            RequestRecord record, Consumer<RequestRecord> done, String challenge, long retryAfterSeconds) {
        if (record != null && record.grpc()) {
            return writeGrpc(downstream, error, close, record, done);
        }
        String json = "{\"error\":" + Json.quote(error.code())
                + (route == null ? "" : ",\"route\":" + Json.quote(route)) + "}\n";
        ByteBuf body = ByteBufUtil.writeUtf8(downstream.alloc(), json);
        if (record != null) {
            record.status(error.status());
            record.addBytesOut(body.readableBytes());
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(error.status()), body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        ConnectionHeader.set(response.headers(), clientVersion(record), close);
        if (challenge != null) {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
            // RFC 6750 section 5.3: answers about credentials are never cached.
            response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        }
        if (retryAfterSeconds > 0) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        if (record != null) {
            done.accept(record);
        }
        return downstream.writeAndFlush(response, close);
    }

    /**
     * A gRPC client's answer: a trailers-only response (HTTP 200, {@code grpc-status} and
     * {@code grpc-message} in the one header block, no body), as gRPC clients expect from a proxy.
     * Metrics and the access log record the HTTP status the error stands for.
     */
    private static ChannelFuture writeGrpc(Downstream downstream, ProxyError error, boolean close,
            RequestRecord record, Consumer<RequestRecord> done) {
        record.status(error.status());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/grpc")
                .setInt("grpc-status", GrpcStatus.of(error))
                // The codes are plain ASCII: no percent-encoding needed.
                .set("grpc-message", "mtls-gateway: " + error.code())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        ConnectionHeader.set(response.headers(), clientVersion(record), close);
        done.accept(record);
        return downstream.writeAndFlush(response, close);
    }

    /** An answer to a request never recorded closes the connection, whatever the version. */
    private static HttpVersion clientVersion(RequestRecord record) {
        return record != null && record.http10() ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    }
}
