package io.mtlsgateway.gateway.upstream;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.function.BooleanSupplier;

/**
 * The last handler of one health-check connection ({@link HealthChecker}): sends the GET of the
 * check path once connected; the check passes on a 2xx response head and fails on anything else,
 * a close, an error or the timeout. One verdict per check, told to the endpoint's health.
 */
final class HealthProbe extends ChannelInboundHandlerAdapter {
    private final String path;
    private final EndpointHealth endpoint;
    private final BooleanSupplier stopped;
    private ScheduledFuture<?> timeout;
    private boolean done;

    /** @param stopped whether the checks were stopped: a verdict that comes after is dropped */
    HealthProbe(String path, EndpointHealth endpoint, BooleanSupplier stopped) {
        this.path = path;
        this.endpoint = endpoint;
        this.stopped = stopped;
    }

    /** The check's timeout, cancelled once the verdict is in. */
    void timeout(ScheduledFuture<?> scheduled) {
        this.timeout = scheduled;
    }

    void finish(boolean passed) {
        if (done) {
            return;
        }
        done = true;
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (!stopped.getAsBoolean()) {
            endpoint.checkResult(passed);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
        request.headers()
                .set(HttpHeaderNames.HOST, endpoint.endpoint().toString())
                .set(HttpHeaderNames.USER_AGENT, "mtls-gateway-health-check")
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        ctx.writeAndFlush(request).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpResponse response) {
                int code = response.status().code();
                if (code >= 200 || response.decoderResult().isFailure()) {
                    finish(!response.decoderResult().isFailure() && code < 300);
                    ctx.close();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finish(false);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        finish(false);
        ctx.close();
    }
}
