package io.mtlsgateway.gateway.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mtlsgateway.gateway.ConnectionHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The admin endpoint's three resources: {@code /metrics} (Prometheus text 0.0.4, or OpenMetrics
 * when the scraper's Accept asks for it), {@code /healthz} (the process runs) and {@code /readyz}
 * (listeners bound, certificates loaded, not draining). Anything else is 404; another method on
 * these paths is 405.
 */
@Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final Set<String> PATHS = Set.of("/metrics", "/healthz", "/readyz");

    private final PrometheusMeterRegistry registry;
    private final BooleanSupplier ready;

    AdminHandler(PrometheusMeterRegistry registry, BooleanSupplier ready) {
        this.registry = registry;
        this.ready = ready;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws IOException {
        String path = new QueryStringDecoder(request.uri()).path();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpVersion version = request.protocolVersion();
        if (!request.decoderResult().isSuccess()) {
            respond(ctx, text(ctx, HttpResponseStatus.BAD_REQUEST, "bad request\n"), version, false);
        } else if (!PATHS.contains(path)) {
            respond(ctx, text(ctx, HttpResponseStatus.NOT_FOUND, "not found\n"), version, keepAlive);
        } else if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
            FullHttpResponse response = text(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            respond(ctx, response, version, keepAlive);
        } else if (path.equals("/metrics")) {
            respond(ctx, scrape(ctx, request.headers().get(HttpHeaderNames.ACCEPT)), version, keepAlive);
        } else if (path.equals("/healthz")) {
            respond(ctx, text(ctx, HttpResponseStatus.OK, "ok\n"), version, keepAlive);
        } else if (ready.getAsBoolean()) {
            respond(ctx, text(ctx, HttpResponseStatus.OK, "ready\n"), version, keepAlive);
        } else {
            respond(ctx, text(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready\n"), version, keepAlive);
        }
    }

    private FullHttpResponse scrape(ChannelHandlerContext ctx, String accept) throws IOException {
        String type = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : TEXT_004;
        ByteBuf body = ctx.alloc().buffer(16 * 1024);
        try (OutputStream out = new ByteBufOutputStream(body)) {
            registry.scrape(out, type);
        } catch (IOException | RuntimeException e) {
            body.release();
            throw e;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        return response;
    }

    private static FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                ByteBufUtil.writeUtf8(ctx.alloc(), text));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8");
        return response;
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpResponse response, HttpVersion version,
            boolean keepAlive) {
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        ConnectionHeader.set(response.headers(), version, !keepAlive);
        ctx.writeAndFlush(response)
                .addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
