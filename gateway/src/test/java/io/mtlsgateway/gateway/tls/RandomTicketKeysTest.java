package io.mtlsgateway.gateway.tls;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.ResumingClient;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.tls.ServerTlsContextFactory.ServerCredentials;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without key files a listener's random ticket key rotates: a ticket survives one rotation (the old
 * key still decrypts) but not two; and a reload's new context shares the keys of the one it replaces.
 */
class RandomTicketKeysTest {
    @TempDir
    Path dir;

    TestPki pki;
    TlsConfig tls;
    SessionTicketPolicy policy;
    EventLoopGroup group;
    Channel server;
    volatile SslContext serving;

    @BeforeEach
    void start() throws Exception {
        pki = new TestPki(dir);
        tls = GatewayFixture.tls(pki, ClientAuthMode.NONE);
        // Never on its own during the test: the test rotates by hand.
        policy = new SessionTicketPolicy(Duration.ofDays(1));
        serving = newContext();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(serving.newHandler(ch.alloc()), new HttpServerCodec(),
                                new HttpObjectAggregator(1024), new OkAndClose());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    private SslContext newContext() throws Exception {
        return policy.apply("edge", tls, ServerTlsContextFactory.build(tls, ServerCredentials.load(tls), null));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
        ReferenceCountUtil.release(serving);
        policy.close();
    }

    @Test
    void aTicketSurvivesOneRotationButNotTwo() throws Exception {
        try (ResumingClient once = client(); ResumingClient twice = client()) {
            assertFalse(once.get(address()));
            assertFalse(twice.get(address()));

            policy.rotate();
            assertTrue(once.get(address()), "the previous key still decrypts");

            policy.rotate();
            assertFalse(twice.get(address()), "two rotations later its key is gone");
        }
    }

    @Test
    void aReloadedContextOfTheListenerResumesTheOldContextsSessions() throws Exception {
        try (ResumingClient returning = client()) {
            assertFalse(returning.get(address()));
            SslContext old = serving;
            serving = newContext();
            ReferenceCountUtil.release(old);
            assertTrue(returning.get(address()), "same listener, same keys across the reload");
        }
    }

    private ResumingClient client() throws Exception {
        return new ResumingClient(pki.server.root(), pki.client("app", null));
    }

    private InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }
}
