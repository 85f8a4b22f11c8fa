package io.mtlsgateway.gateway.testing;

import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import io.mtlsgateway.gateway.verify.OneSidedTrustManager;

/**
 * A TLS client that keeps its sessions, as a returning client does: each connection offers the
 * session (a TLS 1.3 ticket) the previous one received. It is Netty's BoringSSL client, whose session
 * cache is keyed by the name and port given to the engine rather than the address dialled, so with
 * one fixed key a session from one gateway is offered to another, as behind a load balancer (the
 * JDK's client keys its cache by the socket's real port). A handshake resumed when the client did not
 * have to check the server's certificate: the counting trust manager sees every full handshake.
 */
public final class ResumingClient implements AutoCloseable {
    private static final String CACHE_HOST = "localhost";
    private static final int CACHE_PORT = 443;

    private final SslContext context;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final AtomicInteger serverChecks = new AtomicInteger();

    public ResumingClient(X509Certificate serverRoot, IssuedCertificate client) throws GeneralSecurityException,
            IOException {
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry("server-root", serverRoot);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trustStore);
        X509ExtendedTrustManager jdk = null;
        for (TrustManager manager : trust.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager extended) {
                jdk = extended;
            }
        }
        context = SslContextBuilder.forClient()
                .sslProvider(SslProvider.OPENSSL_REFCNT)
                .keyManager(client.privateKey(), client.chainWithoutRoot().toArray(X509Certificate[]::new))
                .trustManager(new Counting(jdk, serverChecks))
                .protocols("TLSv1.3")
                .build();
    }

    /**
     * Connects to {@code address}, sends one GET with {@code Connection: close}, reads the whole
     * response (by then the tickets the server sent are in the cache) and tells whether the
     * handshake resumed.
     *
     * @throws IOException when the connection fails or the answer is not a 200
     */
    public boolean get(InetSocketAddress address) throws IOException, InterruptedException {
        return get(address, null, "/");
    }

    /**
     * As {@link #get(InetSocketAddress)}, sending {@code sni} as the server name (and as Host) while
     * the session cache key stays the same: a session received under one name is offered under
     * another, as a client that coalesces connections across names would.
     *
     * @param sni null for the default ({@code localhost})
     */
    public boolean get(InetSocketAddress address, String sni, String path) throws IOException, InterruptedException {
        String host = sni == null ? CACHE_HOST : sni;
        int checksBefore = serverChecks.get();
        CompletableFuture<Integer> status = new CompletableFuture<>();
        Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        SslHandler tls = context.newHandler(ch.alloc(), CACHE_HOST, CACHE_PORT);
                        if (sni != null) {
                            SSLParameters parameters = tls.engine().getSSLParameters();
                            parameters.setServerNames(List.of(new SNIHostName(sni)));
                            tls.engine().setSSLParameters(parameters);
                        }
                        ch.pipeline().addLast(tls, new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                                new Exchange(status, host, path));
                    }
                })
                .connect(address).sync().channel();
        try {
            int code = status.get(30, TimeUnit.SECONDS);
            if (code != 200) {
                throw new IOException("expected a 200, got " + code);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("request to " + address + " failed", e);
        } finally {
            channel.close().sync();
        }
        return serverChecks.get() == checksBefore;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        ReferenceCountUtil.release(context);
    }

    /** Sends the GET once the handshake is done; completes with the status once the response has ended. */
    private static final class Exchange extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final CompletableFuture<Integer> status;
        private final String host;
        private final String path;

        Exchange(CompletableFuture<Integer> status, String host, String path) {
            this.status = status;
            this.host = host;
            this.path = path;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done) {
                if (done.isSuccess()) {
                    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
                    request.headers().set(HttpHeaderNames.HOST, host)
                            .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                    ctx.writeAndFlush(request);
                } else {
                    status.completeExceptionally(done.cause());
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            status.complete(response.status().code());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            status.completeExceptionally(new IOException("closed before a response"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            status.completeExceptionally(cause);
            ctx.close();
        }
    }

    /** Delegates to the JDK's trust manager, counting server checks. */
    private static final class Counting extends OneSidedTrustManager {
        private final X509ExtendedTrustManager delegate;
        private final AtomicInteger checks;

        Counting(X509ExtendedTrustManager delegate, AtomicInteger checks) {
            super("servers");
            this.delegate = delegate;
            this.checks = checks;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checks.incrementAndGet();
            delegate.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
