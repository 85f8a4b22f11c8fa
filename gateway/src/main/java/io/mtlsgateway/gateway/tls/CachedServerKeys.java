package io.mtlsgateway.gateway.tls;

import io.mtlsgateway.gateway.tls.ServerTlsContextFactory.ServerCredentials;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;

/**
 * A listener's certificate chain and key as a key manager whose BoringSSL form is made once per
 * context. Given a plain key and chain, Netty assumes they may change and converts them on every
 * handshake, full or resumed (PEM-encodes the chain and the key, then parses both natively, as a
 * delegated task); measured with perf during resumption load, that was the bulk of the gateway's
 * own TLS work. A context's credentials never change (a reload builds a new context), so caching is
 * safe.
 */
final class CachedServerKeys {
    private static final char[] NO_PASSWORD = new char[0];

    private CachedServerKeys() {}

    static KeyManagerFactory of(ServerCredentials credentials) throws SSLException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", credentials.key(), NO_PASSWORD,
                    credentials.chain().toArray(X509Certificate[]::new));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, NO_PASSWORD);
            return new OpenSslCachingX509KeyManagerFactory(factory);
        } catch (GeneralSecurityException | IOException e) {
            throw new SSLException("cannot hold the server certificate and key: " + e.getMessage(), e);
        }
    }
}
