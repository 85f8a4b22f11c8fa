package io.mtlsgateway.gateway.upstream;

import io.netty.channel.ChannelHandler;
import java.time.Duration;

/**
 * How the connections this package opens are set up. Handed to the pools by whoever builds them,
 * so the pipeline order lives in one place (the pipeline package) and the pools only pool.
 */
public interface UpstreamPipelines {
    /**
     * The initializer of a pooled connection; its last handler is a new {@link UpstreamChannelHandler}.
     *
     * @param idleTimeout how long the connection may sit unused before it is closed
     */
    ChannelHandler pooled(Duration idleTimeout);

    /** The initializer of a one-shot health-check connection whose last handler is {@code probe}. */
    ChannelHandler healthCheck(ChannelHandler probe);
}
