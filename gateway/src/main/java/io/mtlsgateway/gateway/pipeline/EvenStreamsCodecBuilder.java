package io.mtlsgateway.gateway.pipeline;

import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;

/**
 * A frame codec builder whose connection shares its send window evenly among the streams that have
 * data to send ({@link UniformStreamByteDistributor}), where Netty's default keeps the RFC 7540
 * priority tree ({@code WeightedFairQueueByteDistributor}): a tree node and priority-queue work for
 * every stream that opens, sends and closes, and state kept for closed streams. With one request per
 * stream that was about 2 µs of the gateway's CPU per h2 request in bench/load (JFR, h2-1), for a
 * scheme RFC 9113 §5.3.2 deprecates: PRIORITY frames are still read (and size-checked), not acted on.
 * Flow control is the same: no stream and no connection sends beyond its window.
 */
final class EvenStreamsCodecBuilder extends Http2FrameCodecBuilder {
    /** @param server the connection's role (the gateway's downstream side, or a client to an upstream) */
    EvenStreamsCodecBuilder(boolean server) {
        DefaultHttp2Connection connection = new DefaultHttp2Connection(server);
        // Set before the encoder is built, which adds the default controller only when there is none.
        connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection,
                new UniformStreamByteDistributor(connection)));
        connection(connection);
        // What forServer() and forClient() set besides the role: callers set their own timeout.
        gracefulShutdownTimeoutMillis(0);
    }

    @Override
    public boolean isServer() {
        return connection().isServer();
    }
}
