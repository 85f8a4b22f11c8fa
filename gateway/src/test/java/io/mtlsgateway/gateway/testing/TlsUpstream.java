package io.mtlsgateway.gateway.testing;

import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import io.mtlsgateway.gateway.verify.OneSidedTrustManager;

/**
 * A real Netty TLS server standing in for an upstream API that wants mutual TLS (BoringSSL,
 * {@code clientAuth REQUIRE} when given client CAs). It answers every request with 200 and the
 * client certificate's subject, and counts what it saw: connections, full handshakes (a resumed
 * session does not ask the trust manager), requests, and the request headers.
 */
public final class TlsUpstream implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;
    private final AtomicReference<SslContext> context = new AtomicReference<>();
    private final List<X509Certificate> clientCas;
    private final boolean closeAfterResponse;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger handshakes = new AtomicInteger();
    private final AtomicInteger fullHandshakes = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Map<String, String>> heads = new CopyOnWriteArrayList<>();
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private final Map<String, java.util.concurrent.CompletableFuture<Map<String, String>>> firstByPath =
            new java.util.concurrent.ConcurrentHashMap<>();

    private TlsUpstream(IssuedCertificate server, List<X509Certificate> clientCas, boolean closeAfterResponse)
            throws Exception {
        this.clientCas = List.copyOf(clientCas);
        this.closeAfterResponse = closeAfterResponse;
        context.set(build(server));
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("tls-upstream", true),
                NioIoHandler.newFactory());
        channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        SslContext current = context.get();
                        ch.pipeline().addLast(current.newHandler(ch.alloc()), new HandshakeCounter(),
                                new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Responder());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    /**
     * @param clientCas when not empty, a client certificate from one of them is required
     * @param closeAfterResponse answer with {@code Connection: close}, so every request is a new connection
     */
    public static TlsUpstream start(IssuedCertificate server, List<X509Certificate> clientCas,
            boolean closeAfterResponse) throws Exception {
        return new TlsUpstream(server, clientCas, closeAfterResponse);
    }

    private SslContext build(IssuedCertificate server) throws Exception {
        SslContextBuilder builder = SslContextBuilder.forServer(server.privateKey(),
                server.chainWithoutRoot().toArray(X509Certificate[]::new)).sslProvider(SslProvider.OPENSSL_REFCNT);
        if (!clientCas.isEmpty()) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < clientCas.size(); i++) {
                store.setCertificateEntry("ca" + i, clientCas.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            builder.clientAuth(ClientAuth.REQUIRE).trustManager(new Counting(
                    (X509ExtendedTrustManager) factory.getTrustManagers()[0]));
        }
        return builder.build();
    }

    /** New connections get this certificate from now on (an upstream rotating its own). */
    public void serve(IssuedCertificate server) throws Exception {
        ReferenceCountUtil.release(context.getAndSet(build(server)));
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public int connections() {
        return connections.get();
    }

    /** Handshakes completed (full or resumed). */
    public int handshakes() {
        return handshakes.get();
    }

    /** Handshakes that verified a client certificate: resumed sessions do not. */
    public int fullHandshakes() {
        return fullHandshakes.get();
    }

    public int requests() {
        return requests.get();
    }

    /** Requests received for exactly this path. */
    public int requestsFor(String path) {
        return (int) paths.stream().filter(path::equals).count();
    }

    /** Completes with the headers of the first request for {@code path} (now or later). */
    public java.util.concurrent.CompletableFuture<Map<String, String>> firstRequestFor(String path) {
        return firstByPath.computeIfAbsent(path, p -> new java.util.concurrent.CompletableFuture<>());
    }

    /** Each request's headers, lower-case names, in arrival order. */
    public List<Map<String, String>> heads() {
        return heads;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        ReferenceCountUtil.release(context.getAndSet(null));
    }

    private final class HandshakeCounter extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
                handshakes.incrementAndGet();
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    private final class Responder extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A refused handshake (the gateway's alert) or a reset: the connection is done.
            ctx.close();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            requests.incrementAndGet();
            Map<String, String> head = new java.util.LinkedHashMap<>();
            request.headers().forEach(h -> head.put(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
            heads.add(head);
            paths.add(request.uri());
            firstRequestFor(request.uri()).complete(head);
            String subject;
            try {
                X509Certificate peer = (X509Certificate) ctx.pipeline().get(SslHandler.class).engine().getSession()
                        .getPeerCertificates()[0];
                subject = peer.getSubjectX500Principal().getName();
            } catch (SSLPeerUnverifiedException e) {
                subject = "none";
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("client=" + subject + "\n", StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                    .set("x-upstream-client", subject);
            if (closeAfterResponse) {
                response.headers().set(HttpHeaderNames.CONNECTION, "close");
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
        }
    }

    /** Counts full verifications; delegates the decision to the JDK's PKIX trust manager. */
    private final class Counting extends OneSidedTrustManager {
        private final X509ExtendedTrustManager delegate;

        Counting(X509ExtendedTrustManager delegate) {
            super("clients");
            this.delegate = delegate;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            fullHandshakes.incrementAndGet();
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
