package io.mtlsgateway.gateway.tls;

import io.mtlsgateway.config.TlsProtocol;
import io.mtlsgateway.config.UpstreamProtocol;
import io.mtlsgateway.config.UpstreamTlsConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Builds the BoringSSL client context the gateway connects to one upstream with: the upstream's
 * protocols, the same AEAD-only suites as listeners, the gateway's client certificate when the
 * upstream wants mutual TLS, ALPN {@code http/1.1} (or {@code h2} only, for a {@code protocol: h2}
 * upstream: no fallback, so a server that cannot speak h2 is refused rather than spoken to in the
 * wrong protocol), and a client-side session cache (TLS 1.3 tickets,
 * keyed by server name and port) so a busy pool resumes instead of paying a full handshake per
 * new connection. Reference counted: the holder releases it when a reload replaces it.
 */
public final class UpstreamTlsContextFactory {
    /** Sessions kept per context: a few per endpoint is plenty. */
    static final int SESSION_CACHE_SIZE = 1024;
    /** Seconds a cached session is offered for; TLS 1.3 servers cap ticket lifetimes themselves. */
    static final int SESSION_TIMEOUT_SECONDS = 3600;

    private static final ApplicationProtocolConfig ALPN_HTTP_1_1 = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_1_1);
    private static final ApplicationProtocolConfig ALPN_H2 = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2);

    private UpstreamTlsContextFactory() {}

    /**
     * @param trustManager decides on the upstream's chain and name (never a trust-all manager)
     */
    public static SslContext build(UpstreamTlsConfig tls, UpstreamTlsMaterial material,
            X509ExtendedTrustManager trustManager) throws SSLException {
        return build(tls, material, trustManager, UpstreamProtocol.HTTP1);
    }

    /**
     * @param protocol h2 offers ALPN {@code h2} alone; anything else {@code http/1.1}
     */
    public static SslContext build(UpstreamTlsConfig tls, UpstreamTlsMaterial material,
            X509ExtendedTrustManager trustManager, UpstreamProtocol protocol) throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(SslProvider.OPENSSL_REFCNT)
                .protocols(tls.protocols().stream().map(TlsProtocol::jsseName).toArray(String[]::new))
                .ciphers(ServerTlsContextFactory.CIPHERS)
                .trustManager(trustManager)
                // The trust manager checks the name (RFC 9525, pins); a second, differently strict
                // check by the engine would only add a way to disagree.
                .endpointIdentificationAlgorithm(null)
                .applicationProtocolConfig(protocol == UpstreamProtocol.H2 ? ALPN_H2 : ALPN_HTTP_1_1)
                .sessionCacheSize(SESSION_CACHE_SIZE)
                .sessionTimeout(SESSION_TIMEOUT_SECONDS);
        if (material.clientKey() != null) {
            builder.keyManager(material.clientKey(), material.clientChain())
                    .keyStoreType(ServerTlsContextFactory.IN_MEMORY_KEY_STORE);
        }
        return builder.build();
    }
}
