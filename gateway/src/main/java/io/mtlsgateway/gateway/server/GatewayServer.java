package io.mtlsgateway.gateway.server;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.gateway.identity.IdentityHeaderWriter;
import io.mtlsgateway.gateway.identity.PeerIdentity;
import io.mtlsgateway.gateway.identity.PeerIdentityCache;
import io.mtlsgateway.gateway.pipeline.ListenerInitializer;
import io.mtlsgateway.gateway.routing.RouteTable;
import io.mtlsgateway.gateway.tls.ServerTlsContextFactory;
import io.mtlsgateway.gateway.tls.ServerTlsContextFactory.ServerCredentials;
import io.mtlsgateway.gateway.upstream.ListenerRuntime;
import io.mtlsgateway.gateway.upstream.Upstreams;
import io.mtlsgateway.gateway.verify.VerifierTrustManager;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A running gateway: one event-loop group serving every listener, with upstream connections on
 * the same loops. Built from a validated config; {@link #close()} stops accepting, lets open
 * exchanges finish within a bound, and releases everything.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GatewayServer.class.getName());
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final ThreadPoolExecutor verificationExecutor;
    private final List<SslContext> tlsContexts = new ArrayList<>();
    private final List<Upstreams> upstreams = new ArrayList<>();
    private final Map<String, Channel> serverChannels = new LinkedHashMap<>();
    private final PeerIdentityCache identities = new PeerIdentityCache();

    private GatewayServer(SocketTransport transport, int workers) {
        this.bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gateway-accept", true),
                transport.ioHandlerFactory());
        this.workerGroup = new MultiThreadIoEventLoopGroup(workers, new DefaultThreadFactory("gateway-io", true),
                transport.ioHandlerFactory());
        int verifiers = Math.max(2, Runtime.getRuntime().availableProcessors());
        // Bounded: under a handshake flood the queue fills and the event loop verifies inline
        // rather than letting memory grow without limit.
        this.verificationExecutor = new ThreadPoolExecutor(verifiers, verifiers, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(4096), new DefaultThreadFactory("gateway-verify", true),
                new ThreadPoolExecutor.CallerRunsPolicy());
    }

    /**
     * Binds every listener of the config and starts serving.
     *
     * @throws Exception when a file cannot be loaded or an address cannot be bound; nothing is
     *     left running then
     */
    public static GatewayServer start(GatewayConfig config) throws Exception {
        SocketTransport transport = SocketTransport.select(config.transport());
        GatewayServer server = new GatewayServer(transport, config.workers());
        try {
            for (ListenerConfig listener : config.listeners()) {
                server.bind(config, listener, transport);
            }
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
        LOG.info(() -> "transport " + transport.name() + ", " + config.workers() + " event loop(s); listening on "
                + server.serverChannels.values().stream().map(c -> c.localAddress().toString()).toList());
        return server;
    }

    private void bind(GatewayConfig config, ListenerConfig listener, SocketTransport transport) throws Exception {
        ServerCredentials credentials = ServerCredentials.load(listener.tls());
        VerifierTrustManager verifier = listener.tls().clientAuth() == ClientAuthMode.NONE ? null
                : VerifierTrustManager.forListener(listener.tls());
        SslContext tls = ServerTlsContextFactory.build(listener.tls(), credentials, verifier);
        tlsContexts.add(tls);
        Bootstrap upstreamTemplate = new Bootstrap()
                .channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
        Upstreams pools = new Upstreams(config.upstreams(), upstreamTemplate);
        upstreams.add(pools);
        ListenerRuntime runtime = new ListenerRuntime(listener.name(), RouteTable.of(config.routes()),
                new IdentityHeaderWriter(listener, uriSan(credentials)), pools);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ListenerInitializer(() -> tls, runtime, verificationExecutor, identities::get));
        InetSocketAddress address = new InetSocketAddress(listener.listen().host(), listener.listen().port());
        Channel channel = bootstrap.bind(address).syncUninterruptibly().channel();
        serverChannels.put(listener.name(), channel);
    }

    /** The first URI SAN of the gateway's own certificate: who "By" is in XFCC (Envoy's choice too). */
    private static Optional<String> uriSan(ServerCredentials credentials) {
        return PeerIdentity.of(List.of(credentials.chain().get(0))).sanUri().stream().findFirst();
    }

    /** Where a listener is bound (useful when the config asked for port 0). */
    public InetSocketAddress address(String listenerName) {
        Channel channel = serverChannels.get(listenerName);
        if (channel == null) {
            throw new IllegalArgumentException("no listener named " + listenerName);
        }
        return (InetSocketAddress) channel.localAddress();
    }

    /** Stops accepting, waits briefly for open connections, and releases every resource. */
    @Override
    public void close() {
        serverChannels.values().forEach(channel -> channel.close().syncUninterruptibly());
        upstreams.forEach(Upstreams::closeIdle);
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        verificationExecutor.shutdownNow();
        tlsContexts.forEach(ReferenceCountUtil::release);
        tlsContexts.clear();
    }
}
