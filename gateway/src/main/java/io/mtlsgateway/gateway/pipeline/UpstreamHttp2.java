package io.mtlsgateway.gateway.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * The HTTP/2 client stages of an upstream connection around {@code upstream-idle -> upstream-h2}:
 * the frame codec (flow control, HPACK, header validation) before them, the multiplexer that gives
 * each request its own stream channel after them. {@code upstream-h2} sits before the multiplexer
 * so the pool learns of a GOAWAY before the streams it left out are told: their requests, sent
 * again, must not land on the connection that is going away.
 */
final class UpstreamHttp2 {
    /** The largest response header block accepted, as for HTTP/1.1 upstreams. */
    static final int MAX_HEADER_LIST_SIZE = HttpCodecs.MAX_HEADER_SIZE;
    /**
     * How much of a response an upstream may send on one stream before the gateway grants more
     * (SETTINGS_INITIAL_WINDOW_SIZE), as grpc-java and the tests' h2 servers set it. With the
     * protocol's 64 KiB a large response waits for a WINDOW_UPDATE every 32 KiB, a round trip each.
     * Backpressure is unchanged: the window is granted back only as the stream's bytes are read, and
     * a stream whose client cannot take more is not read; so a slow client holds at most this much
     * in the gateway per stream. Netty raises the connection's window with it (to about twice this),
     * so one stalled stream does not stop the connection's others.
     */
    static final int STREAM_WINDOW = 1 << 20;

    private UpstreamHttp2() {}

    /**
     * Adds the codec before {@code upstream-idle} (a health check's connection has none: before
     * {@code upstream-h2}) and the multiplexer after {@code upstream-h2}.
     */
    static void install(ChannelPipeline pipeline) {
        String codecBefore = pipeline.get(PipelineNames.UPSTREAM_IDLE) != null ? PipelineNames.UPSTREAM_IDLE
                : PipelineNames.UPSTREAM_H2;
        // The multiplexer looks for the frame codec when it is added: the codec goes in first.
        pipeline.addBefore(codecBefore, PipelineNames.UPSTREAM_H2_CODEC, codec());
        // The streams of one client read (their heads, bodies, window updates): one write upstream.
        pipeline.addAfter(PipelineNames.UPSTREAM_H2_CODEC, PipelineNames.UPSTREAM_H2_FLUSH,
                Http2Stage.consolidatedFlushes());
        pipeline.addAfter(PipelineNames.UPSTREAM_H2, PipelineNames.UPSTREAM_H2_MULTIPLEX,
                new Http2MultiplexHandler(REFUSE_PUSH));
    }

    static Http2FrameCodec codec() {
        return new EvenStreamsCodecBuilder(false)
                // No server push: the gateway would have nobody to hand a pushed response to.
                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false)
                        .maxHeaderListSize(MAX_HEADER_LIST_SIZE).initialWindowSize(STREAM_WINDOW))
                .validateHeaders(true)
                .build();
    }

    /** Push is off (SETTINGS_ENABLE_PUSH 0), so a stream the upstream opens is a protocol error: close it. */
    private static final ChannelHandler REFUSE_PUSH = new Refuser();

    @ChannelHandler.Sharable
    private static final class Refuser extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            Channel pushed = ctx.channel();
            pushed.close();
        }
    }
}
