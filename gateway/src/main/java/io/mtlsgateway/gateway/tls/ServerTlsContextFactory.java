package io.mtlsgateway.gateway.tls;

import io.mtlsgateway.config.ApplicationProtocol;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.config.TlsProtocol;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Builds a listener's BoringSSL server context from its TLS config. The context is reference
 * counted: whoever holds it releases it when it is replaced or the listener stops.
 */
public final class ServerTlsContextFactory {
    /**
     * AEAD suites with forward secrecy only. TLS 1.3 names must be listed too: a list of TLS 1.2
     * names alone silently disables TLS 1.3 in BoringSSL.
     */
    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /**
     * The type of the in-memory key store Netty puts the key and chain in on their way to BoringSSL.
     * Its default, PKCS12, encrypts the key on the way in and decrypts it on the way out (PBKDF2,
     * 10,000 HMAC-SHA256 rounds each): about 130 ms of a start's CPU here, for a store that never
     * leaves the process and whose password is empty. JKS keeps it in memory the same way, without that.
     */
    static final String IN_MEMORY_KEY_STORE = "JKS";

    private ServerTlsContextFactory() {}

    /** The server certificate chain (leaf first) and key a listener presents. */
    public record ServerCredentials(List<X509Certificate> chain, PrivateKey key) {
        public ServerCredentials {
            chain = List.copyOf(chain);
        }

        /** Reads and pairs the listener's certificate and key files (tests that need no listener). */
        public static ServerCredentials load(TlsConfig tls) throws IOException {
            return new ServerCredentials(PemFiles.readCertificates(tls.certificate()),
                    PemFiles.readPrivateKey(tls.privateKey()));
        }
    }

    /**
     * A server context with BoringSSL.
     *
     * @param trustManager decides on client chains; ignored when client auth is none
     */
    public static SslContext build(TlsConfig tls, ServerCredentials credentials, X509ExtendedTrustManager trustManager)
            throws SSLException {
        return build(tls, credentials, trustManager, ListenerConfig.DEFAULT_ALPN);
    }

    /**
     * A server context with BoringSSL offering {@code alpn}. A client that offers none of them,
     * or no ALPN at all, gets no ALPN answer and is served HTTP/1.1 when the listener allows it.
     *
     * @param trustManager decides on client chains; ignored when client auth is none
     */
    public static SslContext build(TlsConfig tls, ServerCredentials credentials, X509ExtendedTrustManager trustManager,
            List<ApplicationProtocol> alpn) throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forServer(credentials.key(), credentials.chain())
                .sslProvider(SslProvider.OPENSSL_REFCNT)
                .keyStoreType(IN_MEMORY_KEY_STORE)
                .protocols(tls.protocols().stream().map(TlsProtocol::jsseName).toArray(String[]::new))
                .ciphers(CIPHERS)
                .clientAuth(clientAuth(tls.clientAuth()))
                // Client-chain verification is CPU work (about a millisecond for a new ECDSA
                // chain): run it as a delegated task off the event loop.
                .option(OpenSslContextOption.USE_TASKS, true)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        // The only behaviours BoringSSL supports: no match means no ALPN answer.
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        alpn.stream().map(ApplicationProtocol::alpnName).toList()));
        if (tls.clientAuth() != ClientAuthMode.NONE) {
            builder.trustManager(trustManager);
        }
        return builder.build();
    }

    private static ClientAuth clientAuth(ClientAuthMode mode) {
        return switch (mode) {
            case REQUIRE -> ClientAuth.REQUIRE;
            case OPTIONAL -> ClientAuth.OPTIONAL;
            case NONE -> ClientAuth.NONE;
        };
    }
}
