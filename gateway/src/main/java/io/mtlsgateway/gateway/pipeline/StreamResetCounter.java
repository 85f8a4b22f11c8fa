package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.metrics.Http2Metrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.logging.LogLevel;

/**
 * Counts, by error code, the RST_STREAM frames the h2 codec writes for a stream error on a stream
 * it never reported active to {@code h2-streams}: a malformed new stream (connection-specific fields, {@code
 * te} other than {@code trailers}, bad pseudo-headers) or one beyond {@code maxConcurrentStreams}.
 * Netty answers those itself and tells no handler, so {@code h2-guard}, which counts the errors of
 * open streams, never sees them. CANCEL is left out: it is how a stream the request stage ends
 * early is ended ({@code Http2ServerStream#close}) (an open stream's error, already counted by the guard by its own code, or an
 * exchange the gateway gave up), not a stream error. Logs nothing.
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
