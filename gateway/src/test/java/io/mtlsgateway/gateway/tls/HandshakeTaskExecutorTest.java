package io.mtlsgateway.gateway.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.ResumingClient;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.tls.ServerTlsContextFactory.ServerCredentials;
import io.mtlsgateway.gateway.verify.ClientVerifier;
import io.mtlsgateway.gateway.verify.VerifierTrustManager;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real mutual-TLS 1.3 handshakes over loopback against the gateway's server context, verifier and ticket keys:
 * a full handshake sends exactly one task to the verification executor (the client chain's verification), a
 * resumed one sends none (its certificate callback and the rest of the handshake stay on the event loop).
 */
class HandshakeTaskExecutorTest {
    @TempDir
    Path dir;

    TestPki pki;
    SessionTicketPolicy tickets;
    SslContext context;
    ExecutorService verification;
    final AtomicInteger tasksSentOff = new AtomicInteger();
    /** The server side of the latest connection. */
    final AtomicReference<Channel> accepted = new AtomicReference<>();
    /** While set, tasks sent off wait here instead of running (a verification executor with no free thread). */
    volatile BlockingQueue<Runnable> held;
    EventLoopGroup group;
    Channel server;

    @BeforeEach
    void start() throws Exception {
        pki = new TestPki(dir);
        TlsConfig tls = GatewayFixture.tls(pki, ClientAuthMode.REQUIRE);
        ClientVerifier verifier = ClientVerifier.builder(List.of(pki.clientCa.certificate())).build();
        tickets = new SessionTicketPolicy(Duration.ofDays(1));
        context = tickets.apply("edge", tls, ServerTlsContextFactory.build(tls, ServerCredentials.load(tls),
                new VerifierTrustManager(verifier)));
        verification = Executors.newSingleThreadExecutor();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.set(ch);
                        ch.pipeline().addLast(HandshakeTaskExecutor.newHandler(context, ch, task -> {
                            tasksSentOff.incrementAndGet();
                            BlockingQueue<Runnable> queue = held;
                            if (queue != null) {
                                queue.add(task);
                            } else {
                                verification.execute(task);
                            }
                        }), new HttpServerCodec(), new HttpObjectAggregator(1024), new OkAndClose());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (verification != null) {
            verification.shutdownNow();
            verification.awaitTermination(5, TimeUnit.SECONDS);
        }
        ReferenceCountUtil.release(context);
        if (tickets != null) {
            tickets.close();
        }
    }

    @Test
    void onlyAFullHandshakesVerificationLeavesTheEventLoop() throws Exception {
        try (ResumingClient client = new ResumingClient(pki.server.root(), pki.client("app", null))) {
            InetSocketAddress address = (InetSocketAddress) server.localAddress();
            assertFalse(client.get(address), "the first connection is a full handshake");
            assertEquals(1, tasksSentOff.get(), "a full handshake sends its verification, and only that, off the loop");

            assertTrue(client.get(address), "the second connection resumes");
            assertTrue(client.get(address), "and so does the third");
            assertEquals(1, tasksSentOff.get(), "a resumed handshake sends nothing off the loop");
        }
    }

    @Test
    void saysTheVerificationIsQueuedWhileItWaitsForAThreadAndDoneOnceItRan() throws Exception {
        // What a handshake that runs out of time reports: whether the gateway's own verification was
        // still pending (then the gateway was late, not the client).
        held = new LinkedBlockingQueue<>();
        try (ResumingClient client = new ResumingClient(pki.server.root(), pki.client("app", null))) {
            InetSocketAddress address = (InetSocketAddress) server.localAddress();
            CompletableFuture<Boolean> handshake = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.get(address);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            Runnable verificationTask = held.poll(30, TimeUnit.SECONDS);
            assertTrue(verificationTask != null, "the full handshake sent its verification off the loop");
            assertEquals(Optional.of(HandshakeTaskExecutor.Verification.QUEUED),
                    HandshakeTaskExecutor.verificationOf(accepted.get()));

            verification.execute(verificationTask);

            assertFalse(handshake.get(30, TimeUnit.SECONDS), "a full handshake");
            assertEquals(Optional.of(HandshakeTaskExecutor.Verification.DONE),
                    HandshakeTaskExecutor.verificationOf(accepted.get()));
        }
    }
}
