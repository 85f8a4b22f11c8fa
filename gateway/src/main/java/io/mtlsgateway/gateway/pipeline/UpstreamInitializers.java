package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.upstream.UpstreamChannelHandler;
import io.mtlsgateway.gateway.upstream.UpstreamPipelines;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The pipelines of connections to upstreams: a pooled one is
 * {@code upstream-codec -> upstream-idle -> upstream}; a health check is
 * {@code upstream-codec -> health-check}.
 */
public final class UpstreamInitializers implements UpstreamPipelines {
    /** Stateless: one for the whole process. */
    public static final UpstreamInitializers INSTANCE = new UpstreamInitializers();

    private UpstreamInitializers() {}

    @Override
    public ChannelHandler pooled(Duration idleTimeout) {
        long idleMillis = idleTimeout.toMillis();
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline()
                        .addLast(PipelineNames.UPSTREAM_CODEC, HttpCodecs.client())
                        .addLast(PipelineNames.UPSTREAM_IDLE, new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                        .addLast(PipelineNames.UPSTREAM_HANDLER, new UpstreamChannelHandler());
            }
        };
    }

    @Override
    public ChannelHandler healthCheck(ChannelHandler probe) {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline()
                        .addLast(PipelineNames.UPSTREAM_CODEC, HttpCodecs.client())
                        .addLast(PipelineNames.HEALTH_CHECK, probe);
            }
        };
    }
}
