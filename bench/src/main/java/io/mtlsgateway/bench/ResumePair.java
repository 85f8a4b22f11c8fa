package io.mtlsgateway.bench;

import io.mtlsgateway.config.TlsProtocol;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.server.ListenerTls;
import io.mtlsgateway.gateway.tls.SessionTicketPolicy;
import io.mtlsgateway.gateway.verify.ClientVerifier;
import io.mtlsgateway.gateway.verify.HandshakeVerdicts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.net.Socket;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The two contexts of a resumed-handshake measurement ({@link GatewayResumeBenchmark}, {@link ResumeProfile}):
 * a client with a certificate under an intermediate, and either the server the gateway builds for a listener
 * ({@code gateway}: {@link ListenerTls#build}, ticket keys from {@link SessionTicketPolicy}) or a bare BoringSSL
 * server with the same certificates whose trust manager accepts any chain and is not asked on resumption
 * ({@code engine}: the floor of Netty's engine and BoringSSL).
 *
 * @param verdicts where the gateway's verifier hands its verdicts over; null for {@code engine}
 * @param tickets the gateway's ticket keys; null for {@code engine}
 */
record ResumePair(SslContext serverContext, SslContext clientContext, ServerVerificationCounter clientTrust,
        HandshakeVerdicts verdicts, SessionTicketPolicy tickets) implements AutoCloseable {

    /**
     * @param server {@code gateway} or {@code engine}
     * @param clientGroups {@code default} (Netty's offer, X25519MLKEM768 first) or a comma-separated group list
     */
    static ResumePair create(String server, String clientGroups) throws Exception {
        if (!OpenSsl.isAvailable()) {
            throw new IllegalStateException("netty-tcnative is not usable here", OpenSsl.unavailabilityCause());
        }
        IssuedCertificate root = new CertificateBuilder().subject("CN=bench client root").ca(-1).selfSigned();
        IssuedCertificate intermediate = new CertificateBuilder().subject("CN=bench client intermediate").ca(0)
                .signedBy(root);
        IssuedCertificate serverCert = new CertificateBuilder().subject("CN=gateway").forServer().dns("localhost")
                .signedBy(root);
        IssuedCertificate leaf = new CertificateBuilder().subject("CN=bench client").forClient()
                .uri("spiffe://bench.example/client").signedBy(intermediate);
        ServerVerificationCounter clientTrust = ServerVerificationCounter.trusting(root.certificate());
        SslContextBuilder client = SslContextBuilder.forClient()
                .sslProvider(SslProvider.OPENSSL_REFCNT)
                .keyManager(leaf.privateKey(), leaf.chainWithoutRoot())
                .trustManager(clientTrust)
                .protocols("TLSv1.3");
        if (!"default".equals(clientGroups)) {
            client.option(OpenSslContextOption.GROUPS, clientGroups.split(","));
        }
        SslContext clientContext = client.build();
        if ("gateway".equals(server)) {
            BenchListener listener = BenchListener.build(serverCert, root, TlsProtocol.TLS_1_3, true,
                    ClientVerifier.DEFAULT_CACHE_SIZE);
            SessionTicketPolicy tickets = new SessionTicketPolicy();
            SslContext context = tickets.apply("bench", listener.config(), listener.tls().context());
            return new ResumePair(context, clientContext, clientTrust, listener.tls().verdicts(), tickets);
        }
        if ("engine".equals(server)) {
            return new ResumePair(engineServer(serverCert), clientContext, clientTrust, null, null);
        }
        throw new IllegalArgumentException("server: " + server + " (expected: gateway or engine)");
    }

    private static SslContext engineServer(IssuedCertificate serverCert) throws SSLException {
        return SslContextBuilder.forServer(serverCert.privateKey(), serverCert.chainWithoutRoot())
                .sslProvider(SslProvider.OPENSSL_REFCNT)
                .protocols("TLSv1.3")
                .clientAuth(ClientAuth.REQUIRE)
                .trustManager(new AcceptAny())
                .build();
    }

    @Override
    public void close() {
        ReferenceCountUtil.release(serverContext);
        ReferenceCountUtil.release(clientContext);
        if (tickets != null) {
            tickets.close();
        }
    }

    /** The floor's trust manager: accepts any client chain, and is not one Netty asks again on resumption. */
    private static final class AcceptAny extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
