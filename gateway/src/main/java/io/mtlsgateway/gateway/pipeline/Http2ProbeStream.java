package io.mtlsgateway.gateway.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;

/**
 * The {@code upstream-h2} stage of a health-check connection to an HTTP/2 upstream: once the
 * upstream's SETTINGS arrived, opens the one stream the check needs,
 * {@code upstream-h2-stream-codec -> health-check}, so the probe writes and reads HTTP messages as
 * over HTTP/1.1. The connection closes with that stream.
 */
final class Http2ProbeStream extends ChannelInboundHandlerAdapter {
    private final ChannelHandler probe;
    private boolean opened;

    Http2ProbeStream(ChannelHandler probe) {
        this.probe = probe;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2SettingsFrame) {
            ReferenceCountUtil.release(msg);
            if (!opened) {
                opened = true;
                open(ctx.channel());
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void open(Channel connection) {
        new Http2StreamChannelBootstrap(connection).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline()
                        .addLast(PipelineNames.UPSTREAM_H2_STREAM_CODEC, new Http2StreamFrameToHttpObjectCodec(false))
                        .addLast(PipelineNames.HEALTH_CHECK, probe);
            }
        }).open().addListener(f -> {
            if (f.isSuccess()) {
                ((Channel) f.getNow()).closeFuture().addListener(closed -> connection.close());
            } else {
                connection.close();
            }
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException) {
            ctx.fireExceptionCaught(cause); // the multiplexer hands it to the probe's stream
            return;
        }
        ctx.close().addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }
}
