package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.config.Http2Limits;
import io.mtlsgateway.gateway.metrics.Http2Metrics;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.Optional;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * The HTTP stage of a verified connection that chose h2 in ALPN: {@code h2-tls-flushes -> h2-codec
 * -> h2-flush -> h2-stream-flushes -> h2-guard -> h2-streams} in place of the handshake gate. Every stream
 * is served by {@code h2-streams} ({@link Http2ServerStreams}) straight from the frame codec, without
 * a child channel: the same request stage as HTTP/1.1, fed the same HTTP messages, with the
 * connection's verified peer.
 *
 * <p>Netty's codec carries most of the protections against abusive clients; which ones, and with
 * which limits, is set here explicitly so a Netty default changing cannot loosen them.
 */
final class Http2Stage {
    /** RST_STREAM frames a client may cause in a window before the connection is closed (rapid reset). */
    static final int MAX_RST_FRAMES_PER_WINDOW = 200;
    static final int RST_WINDOW_SECONDS = 30;
    /** DATA frames without payload and without end of stream, in a row (empty-DATA flood). */
    static final int MAX_CONSECUTIVE_EMPTY_DATA_FRAMES = 2;
    /** CONTINUATION frames that carry almost nothing, per header block (CONTINUATION flood). */
    static final int MAX_SMALL_CONTINUATION_FRAMES = 16;
    /** Control frames (PING and SETTINGS acknowledgements, RST_STREAM) queued for a client that does not read. */
    static final int MAX_QUEUED_CONTROL_FRAMES = 1000;
    /** How long open streams may take to finish after a GOAWAY (drain, age, request count, trust change). */
    static final long GRACEFUL_SHUTDOWN_MILLIS = 30_000;

    /** Flushes held before the connection is flushed anyway, so a burst of writes cannot pile up unsent. */
    static final int FLUSH_AT_MOST_AFTER = 64;

    private Http2Stage() {}

    /** Replaces the handler of {@code gate} with the h2 stage. */
    static void install(ChannelHandlerContext gate, Http2Limits limits, Duration idleTimeout,
            HttpStage.Factory httpStage, VerifiedPeer peer, String listener, Optional<String> host,
            Http2Metrics metrics) {
        HttpStage.Http2Streams streams = httpStage.http2Streams(peer);
        Http2ConnectionGuard guard = new Http2ConnectionGuard(limits, idleTimeout, streams.firstStreamTimeout(),
                listener, host, peer, metrics);
        gate.channel().closeFuture().addListener(f -> streams.connectionClosed());
        ChannelPipeline pipeline = gate.pipeline();
        // h2-streams looks for the frame codec when it is added: the codec goes in first.
        pipeline.replace(gate.handler(), PipelineNames.H2_CODEC, codec(limits, metrics));
        pipeline.addAfter(PipelineNames.H2_CODEC, PipelineNames.H2_FLUSH, consolidatedFlushes());
        pipeline.addBefore(PipelineNames.H2_CODEC, PipelineNames.H2_TLS_FLUSHES, new EmptyFlushFilter());
        pipeline.addAfter(PipelineNames.H2_FLUSH, PipelineNames.H2_STREAM_FLUSHES, new EmptyFlushFilter());
        pipeline.addAfter(PipelineNames.H2_STREAM_FLUSHES, PipelineNames.H2_GUARD, guard);
        pipeline.addAfter(PipelineNames.H2_GUARD, PipelineNames.H2_STREAMS, new Http2ServerStreams(streams, guard));
    }

    /**
     * One flush of the h2 connection per round of the event loop, however many of its streams wrote.
     * A stream's response arrives on its own upstream connection, outside any read of this
     * connection, and each stream flushed its connection at once: a TLS record and a send() per
     * response, where ten streams finishing together need one. Held flushes run once the loop has handled its ready
     * events, at the end of a read of this connection, before a close, and when the connection stops
     * being writable (so unsent bytes never build up); flow control and backpressure are unchanged.
     */
    static ChannelHandler consolidatedFlushes() {
        return new FlushConsolidationHandler(FLUSH_AT_MOST_AFTER, true);
    }

    static Http2FrameCodec codec(Http2Limits limits) {
        return codec(limits, null);
    }

    /** @param metrics where the streams the codec resets by itself are counted; null: not counted */
    static Http2FrameCodec codec(Http2Limits limits, Http2Metrics metrics) {
        Http2FrameCodecBuilder builder = new EvenStreamsCodecBuilder(true);
        if (metrics != null) {
            builder.frameLogger(new StreamResetCounter(metrics));
        }
        return builder
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(limits.maxConcurrentStreams())
                        .maxHeaderListSize(limits.maxHeaderListSize()))
                .validateHeaders(true)
                .validateRequiredPseudoHeaders(true)
                .decoderEnforceMaxRstFramesPerWindow(MAX_RST_FRAMES_PER_WINDOW, RST_WINDOW_SECONDS)
                // MadeYouReset: frames that make the server reset streams count too.
                .encoderEnforceMaxRstFramesPerWindow(MAX_RST_FRAMES_PER_WINDOW, RST_WINDOW_SECONDS)
                .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_CONSECUTIVE_EMPTY_DATA_FRAMES)
                .decoderEnforceMaxSmallContinuationFrames(MAX_SMALL_CONTINUATION_FRAMES)
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                .gracefulShutdownTimeoutMillis(GRACEFUL_SHUTDOWN_MILLIS)
                .build();
    }
}
