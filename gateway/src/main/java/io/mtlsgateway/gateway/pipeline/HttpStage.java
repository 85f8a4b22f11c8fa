package io.mtlsgateway.gateway.pipeline;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The handlers of one verified connection's HTTP stage, supplied by the request stage; this class
 * only knows where they go: {@code http-timeouts -> http-codec -> http-guard -> proxy}, in place of
 * the handshake gate.
 *
 * @param rawTimeouts sees bytes before the codec (when a request starts)
 * @param messageTimeouts sees messages after the codec (when a head is complete, a response ends)
 * @param requests the last handler: serves the requests
 */
public record HttpStage(ChannelHandler rawTimeouts, ChannelHandler messageTimeouts, ChannelHandler requests) {
    public HttpStage {
        Objects.requireNonNull(rawTimeouts, "rawTimeouts");
        Objects.requireNonNull(messageTimeouts, "messageTimeouts");
        Objects.requireNonNull(requests, "requests");
    }

    /** Makes the HTTP stage of each connection of one listener snapshot. */
    public interface Factory {
        HttpStage create(VerifiedPeer peer);

        /** What serves the streams of one verified h2 connection. */
        Http2Streams http2Streams(VerifiedPeer peer);
    }

    /** The request stage of one h2 connection: what serves each stream, told when the connection ends. */
    public interface Http2Streams {
        /** What serves the request of a new stream, which it answers through {@code stream}. */
        Http2StreamRequests open(Downstream stream);

        void connectionClosed();

        /**
         * How long the connection may stay without a stream before it is asked to go away: set
         * when it is over its client's connection cap, where it serves nothing (the HTTP/1.1
         * stage closes such a silent connection after the same time).
         */
        default Optional<Duration> firstStreamTimeout() {
            return Optional.empty();
        }
    }

    /** Installs this stage and the server codec on a connection without TLS (an egress listener). */
    void installPlain(ChannelPipeline pipeline) {
        pipeline.addLast(PipelineNames.HTTP_TIMEOUTS, rawTimeouts)
                .addLast(PipelineNames.HTTP_CODEC, HttpCodecs.server())
                .addLast(PipelineNames.HTTP_GUARD, messageTimeouts)
                .addLast(PipelineNames.PROXY, requests);
    }

    /** Replaces the handler of {@code gate} with this stage and the server codec. */
    void install(ChannelHandlerContext gate) {
        ChannelPipeline pipeline = gate.pipeline();
        pipeline.addAfter(gate.name(), PipelineNames.PROXY, requests);
        pipeline.addAfter(gate.name(), PipelineNames.HTTP_GUARD, messageTimeouts);
        pipeline.replace(gate.handler(), PipelineNames.HTTP_CODEC, HttpCodecs.server());
        pipeline.addBefore(PipelineNames.HTTP_CODEC, PipelineNames.HTTP_TIMEOUTS, rawTimeouts);
    }
}
