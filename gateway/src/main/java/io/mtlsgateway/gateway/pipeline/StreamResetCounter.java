package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.metrics.Http2Metrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.logging.LogLevel;

/**
 * Counts, by error code, the RST_STREAM frames the h2 codec writes for a stream error: the one place
 * every such reset passes, so each is counted once. Those of a stream the codec never reported
 * active to {@code h2-streams} (a malformed new stream: connection-specific fields, {@code te} other
 * than {@code trailers}, bad pseudo-headers; or one beyond {@code maxConcurrentStreams}) Netty writes
 * by itself and tells no handler; those of an open stream ({@code h2-streams} resets it with the
 * error the codec showed it) come through here too. CANCEL is left out: it is how a stream the
 * request stage ends early is ended ({@code Http2ServerStream#close}), an exchange the gateway gave
 * up, not a stream error. Logs nothing.
 */
final class StreamResetCounter extends Http2FrameLogger {
    private final Http2Metrics metrics;

    StreamResetCounter(Http2Metrics metrics) {
        super(LogLevel.TRACE, StreamResetCounter.class);
        this.metrics = metrics;
    }

    @Override
    public void logRstStream(Direction direction, ChannelHandlerContext ctx, int streamId, long errorCode) {
        if (direction == Direction.OUTBOUND && errorCode != Http2Error.CANCEL.code()) {
            Http2Error error = Http2Error.valueOf(errorCode);
            metrics.streamReset(error == null ? "unknown" : error.name());
        }
    }
}
