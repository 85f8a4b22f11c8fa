package io.mtlsgateway.gateway.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.OcspMode;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.ClientChains;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.OcspResponder;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.tls.ServerTlsContextFactory;
import io.mtlsgateway.gateway.tls.ServerTlsContextFactory.ServerCredentials;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.CharsetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that OCSP, the slow part of verification, never runs on an event loop: a real BoringSSL
 * server built like the gateway's (same context factory, USE_TASKS, a verification executor)
 * records the thread of every OCSP fetch.
 */
class OcspOffTheEventLoopTest {
    @TempDir
    static Path dir;

    static TestPki pki;
    static ClientChains chains;
    static OcspResponder responder;
    static EventLoopGroup group;
    static ExecutorService verification;
    static SslContext context;
    static Channel server;
    static final List<String> fetchThreads = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki(dir);
        chains = new ClientChains(dir);
        responder = OcspResponder.start(chains.intermediate);
        OcspFetcher http = new HttpOcspFetcher(Duration.ofSeconds(2));
        ClientVerifier verifier = ClientVerifier.builder(List.of(chains.root.certificate()))
                .ocsp(OcspMode.HARD_FAIL)
                .ocspFetcher((uri, request) -> {
                    fetchThreads.add(Thread.currentThread().getName());
                    return http.fetch(uri, request);
                })
                .build();
        var tls = GatewayFixture.tls(pki, ClientAuthMode.REQUIRE);
        context = ServerTlsContextFactory.build(tls, ServerCredentials.load(tls), new VerifierTrustManager(verifier));
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gateway-io", true),
                NioIoHandler.newFactory());
        verification = Executors.newFixedThreadPool(2, new DefaultThreadFactory("gateway-verify", true));
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(context.newHandler(ch.alloc(), verification), new Answer());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).syncUninterruptibly().channel();
    }

    /** Answers a verified client with an empty 200 and closes. */
    static final class Answer extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
                ctx.writeAndFlush(Unpooled.copiedBuffer(
                        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", CharsetUtil.US_ASCII))
                        .addListener(ChannelFutureListener.CLOSE);
            } else if (evt instanceof SslHandshakeCompletionEvent) {
                ctx.close();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (verification != null) {
            verification.shutdownNow();
        }
        if (context != null) {
            ReferenceCountUtil.release(context);
        }
        if (responder != null) {
            responder.close();
        }
    }

    @Test
    void fetchesOcspOnTheVerificationExecutorNeverOnAnEventLoop() throws Exception {
        InetSocketAddress address = (InetSocketAddress) server.localAddress();
        IssuedCertificate good = ClientChains.leaf("threads-good").ocspResponder(responder.uri())
                .signedBy(chains.intermediate);
        IssuedCertificate revoked = ClientChains.leaf("threads-revoked").ocspResponder(responder.uri())
                .signedBy(chains.intermediate);
        responder.answer(good.certificate().getSerialNumber(), OcspResponder.Answer.GOOD);
        responder.answer(revoked.certificate().getSerialNumber(), OcspResponder.Answer.REVOKED);

        try (TlsTestClient client = TlsTestClient.connect(address, pki.server.root(), good)) {
            assertEquals(200, client.readResponse().status());
        }
        IOException refused = assertThrows(IOException.class, () -> {
            try (TlsTestClient client = TlsTestClient.connect(address, pki.server.root(), revoked)) {
                client.input().read();
            }
        });
        assertTrue(String.valueOf(refused.getMessage()).contains("certificate_revoked"), refused.getMessage());

        assertEquals(2, fetchThreads.size(), fetchThreads.toString());
        for (String thread : fetchThreads) {
            assertFalse(thread.startsWith("gateway-io"), "OCSP fetched on event loop thread " + thread);
            assertTrue(thread.startsWith("gateway-verify"), thread);
        }
    }
}
