package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.config.UpstreamConfig;
import io.mtlsgateway.config.UpstreamProtocol;
import io.mtlsgateway.gateway.metrics.UpstreamOccupancy;
import io.mtlsgateway.gateway.tls.UpstreamTlsHolder;
import io.mtlsgateway.gateway.upstream.Http2ConnectionHandler;
import io.mtlsgateway.gateway.upstream.UpstreamChannelHandler;
import io.mtlsgateway.gateway.upstream.UpstreamPipelines;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The pipelines of connections to upstreams: a pooled one is
 * {@code [upstream-tls -> upstream-tls-log ->] upstream-codec -> upstream-idle -> upstream}; a
 * health check is {@code [upstream-tls -> upstream-tls-log ->] upstream-codec -> health-check}.
 * For an HTTP/2 upstream a pooled connection is {@code [upstream-tls -> upstream-tls-log ->]
 * upstream-h2-codec -> upstream-idle -> upstream-h2 -> upstream-h2-multiplex} (with TLS, the h2
 * stages wait as {@code upstream-alpn} until the upstream chose h2), and each request's stream
 * {@code upstream-h2-stream-codec -> upstream-h2-stream -> upstream-idle -> upstream}. An HTTP/2 health
 * check is {@code [upstream-tls -> upstream-tls-log ->] upstream-h2-codec -> upstream-h2 ->
 * upstream-h2-multiplex}, its one stream {@code upstream-h2-stream-codec -> health-check}.
 * The TLS stages are there when the upstream has a {@code tls} block, made with the material
 * current when the connection opens.
 */
public final class UpstreamInitializers implements UpstreamPipelines {
    private static final Logger LOG = Logger.getLogger(UpstreamInitializers.class.getName());

    /** Plain HTTP to every upstream (tests and tools that have no upstream TLS). */
    public static final UpstreamInitializers INSTANCE = new UpstreamInitializers(new UpstreamTlsHolder(),
            new DefaultChannelGroup("unused", GlobalEventExecutor.INSTANCE), name -> UpstreamOccupancy.detached());

    private final UpstreamTlsHolder tls;
    private final ChannelGroup opened;
    private final Function<String, UpstreamOccupancy> occupancy;

    /**
     * @param tls the process's upstream TLS, consulted per new connection
     * @param opened every pooled connection joins it (and leaves when it closes), so the owner
     *     can close them all at stop
     * @param occupancy where an upstream's open pooled connections and h2 streams are counted, by upstream name
     */
    public UpstreamInitializers(UpstreamTlsHolder tls, ChannelGroup opened,
            Function<String, UpstreamOccupancy> occupancy) {
        this.tls = tls;
        this.opened = opened;
        this.occupancy = occupancy;
    }

    @Override
    public ChannelHandler pooled(UpstreamConfig upstream, HostPort endpoint) {
        if (upstream.protocol().multiplexed()) {
            return pooledHttp2(upstream, endpoint);
        }
        long idleMillis = upstream.idleTimeout().toMillis();
        UpstreamOccupancy counts = occupancy.apply(upstream.name());
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                opened.add(ch);
                countConnection(ch, counts);
                addTls(ch, upstream, endpoint)
                        .addLast(PipelineNames.UPSTREAM_CODEC, HttpCodecs.client())
                        .addLast(PipelineNames.UPSTREAM_IDLE, new UpstreamIdleHandler(idleMillis, TimeUnit.MILLISECONDS))
                        .addLast(PipelineNames.UPSTREAM_HANDLER, new UpstreamChannelHandler());
            }
        };
    }

    private ChannelHandler pooledHttp2(UpstreamConfig upstream, HostPort endpoint) {
        long idleMillis = upstream.idleTimeout().toMillis();
        UpstreamOccupancy counts = occupancy.apply(upstream.name());
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                opened.add(ch);
                countConnection(ch, counts);
                ChannelPipeline pipeline = addTls(ch, upstream, endpoint)
                        .addLast(PipelineNames.UPSTREAM_IDLE, new UpstreamIdleHandler(idleMillis, TimeUnit.MILLISECONDS))
                        .addLast(PipelineNames.UPSTREAM_H2, new Http2ConnectionHandler(upstream.connectTimeout()));
                if (upstream.protocol() == UpstreamProtocol.H2) {
                    pipeline.addBefore(PipelineNames.UPSTREAM_IDLE, PipelineNames.UPSTREAM_ALPN,
                            new UpstreamAlpnGate(upstream.name(), endpoint));
                } else {
                    UpstreamHttp2.install(pipeline);
                }
            }
        };
    }

    @Override
    public ChannelHandler stream(UpstreamConfig upstream) {
        long idleMillis = upstream.idleTimeout().toMillis();
        UpstreamOccupancy counts = occupancy.apply(upstream.name());
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel stream) {
                counts.streamOpened();
                stream.closeFuture().addListener(f -> counts.streamClosed());
                stream.pipeline()
                        .addLast(PipelineNames.UPSTREAM_H2_STREAM_CODEC, new Http2StreamFrameToHttpObjectCodec(false))
                        .addLast(PipelineNames.UPSTREAM_H2_STREAM, new Http2UpstreamStreamAdapter())
                        .addLast(PipelineNames.UPSTREAM_IDLE, new UpstreamIdleHandler(idleMillis, TimeUnit.MILLISECONDS))
                        .addLast(PipelineNames.UPSTREAM_HANDLER, new UpstreamChannelHandler());
            }
        };
    }

    @Override
    public ChannelHandler healthCheck(UpstreamConfig upstream, HostPort endpoint, ChannelHandler probe) {
        if (upstream.protocol().multiplexed()) {
            return healthCheckHttp2(upstream, endpoint, probe);
        }
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                opened.add(ch);
                addTls(ch, upstream, endpoint)
                        .addLast(PipelineNames.UPSTREAM_CODEC, HttpCodecs.client())
                        .addLast(PipelineNames.HEALTH_CHECK, probe);
            }
        };
    }

    private ChannelHandler healthCheckHttp2(UpstreamConfig upstream, HostPort endpoint, ChannelHandler probe) {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                opened.add(ch);
                ChannelPipeline pipeline = addTls(ch, upstream, endpoint)
                        .addLast(PipelineNames.UPSTREAM_H2, new Http2ProbeStream(probe));
                if (upstream.protocol() == UpstreamProtocol.H2) {
                    pipeline.addBefore(PipelineNames.UPSTREAM_H2, PipelineNames.UPSTREAM_ALPN,
                            new UpstreamAlpnGate(upstream.name(), endpoint));
                } else {
                    UpstreamHttp2.install(pipeline);
                }
            }
        };
    }

    @Override
    public boolean reusable(Channel channel, UpstreamConfig upstream) {
        return tls.isCurrent(channel, upstream.name());
    }

    /** Counted from set-up (the connect attempt) to the close, whatever ends it. */
    private static void countConnection(Channel ch, UpstreamOccupancy counts) {
        counts.connectionOpened();
        ch.closeFuture().addListener(f -> counts.connectionClosed());
    }

    private ChannelPipeline addTls(Channel ch, UpstreamConfig upstream, HostPort endpoint) {
        SslHandler handler = tls.newHandler(ch, upstream, endpoint);
        if (handler == null && upstream.tls().isPresent()) {
            // A pool of a retired config (a client connection still on it) whose upstream a reload
            // renamed or removed: its TLS is gone. Closed before connecting, so the request fails
            // as upstream_unavailable instead of going out in cleartext.
            LOG.warning(() -> "upstream " + upstream.name() + " " + endpoint + ": no longer configured (a reload"
                    + " retired its TLS); a connection for a request still on the previous config is refused,"
                    + " never made without TLS");
            ch.close();
        } else if (handler != null) {
            ch.pipeline()
                    .addLast(PipelineNames.UPSTREAM_TLS, handler)
                    .addLast(PipelineNames.UPSTREAM_TLS_LOG, new UpstreamHandshakeLog(upstream.name(), endpoint));
        }
        return ch.pipeline();
    }
}
