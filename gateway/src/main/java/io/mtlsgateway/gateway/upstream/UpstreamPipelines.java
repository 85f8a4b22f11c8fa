package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.config.UpstreamConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;

/**
 * How the connections this package opens are set up. Handed to the pools by whoever builds them,
 * so the pipeline order lives in one place (the pipeline package) and the pools only pool.
 */
public interface UpstreamPipelines {
    /**
     * The initializer of a pooled connection to {@code endpoint} of {@code upstream}. For HTTP/1.1
     * its last handler is a new {@link UpstreamChannelHandler}; for HTTP/2 ({@code h2c}, {@code h2})
     * a new {@link Http2ConnectionHandler}, each request then getting a stream set up by {@link #stream}.
     * When the upstream uses TLS the pool hands the connection out only once its handshake (and
     * the upstream's verification) succeeded.
     */
    ChannelHandler pooled(UpstreamConfig upstream, HostPort endpoint);

    /** The initializer of one request's stream on an HTTP/2 connection; its last handler is a new {@link UpstreamChannelHandler}. */
    ChannelHandler stream(UpstreamConfig upstream);

    /** The initializer of a one-shot health-check connection whose last handler is {@code probe}. */
    ChannelHandler healthCheck(UpstreamConfig upstream, HostPort endpoint, ChannelHandler probe);

    /**
     * Whether an open connection may serve another request: false once it was made with TLS
     * material a reload has since replaced, so it is closed after its in-flight request.
     */
    default boolean reusable(Channel channel, UpstreamConfig upstream) {
        return true;
    }
}
