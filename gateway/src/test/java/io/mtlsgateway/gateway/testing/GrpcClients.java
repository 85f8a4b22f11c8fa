package io.mtlsgateway.gateway.testing;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * grpc-java clients of the gateway, as a service would call it: h2 over mutual TLS (ALPN {@code h2})
 * with a client certificate, to {@code localhost} (the name on the test server certificate).
 */
public final class GrpcClients {
    private GrpcClients() {}

    /** @param client presented to the gateway */
    public static ManagedChannel channel(InetSocketAddress gateway, X509Certificate serverRoot, IssuedCertificate client)
            throws SSLException {
        return builder(gateway, serverRoot, client).build();
    }

    /**
     * A channel with a fixed h2 receive window of {@code flowControlWindow} bytes (gRPC's
     * window auto-tuning off): a client that stops reading stops the server after about that much.
     */
    public static ManagedChannel channel(InetSocketAddress gateway, X509Certificate serverRoot, IssuedCertificate client,
            int flowControlWindow) throws SSLException {
        return builder(gateway, serverRoot, client).flowControlWindow(flowControlWindow).build();
    }

    private static NettyChannelBuilder builder(InetSocketAddress gateway, X509Certificate serverRoot,
            IssuedCertificate client) throws SSLException {
        SslContext tls = GrpcSslContexts.forClient()
                .trustManager(serverRoot)
                .keyManager(client.privateKey(), client.chainWithoutRoot().toArray(X509Certificate[]::new))
                .build();
        return NettyChannelBuilder.forAddress("localhost", gateway.getPort()).sslContext(tls);
    }

    /** Closes {@code channel} and waits for it, so its threads are gone before the next test. */
    public static AutoCloseable closing(ManagedChannel channel) {
        return () -> {
            channel.shutdownNow();
            channel.awaitTermination(10, TimeUnit.SECONDS);
        };
    }
}
