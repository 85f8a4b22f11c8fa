package io.mtlsgateway.bench;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The client's trust manager: the JDK default one for a single CA, counting how often it checks the server.
 *
 * <p>A resumed handshake skips certificate verification, so a count that did not move proves the handshake
 * was not a full one. The benchmark uses it to refuse to measure resumptions by accident.
 */
final class ServerVerificationCounter extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private long serverChecks;

    private ServerVerificationCounter(X509ExtendedTrustManager delegate) {
        this.delegate = delegate;
    }

    /** Wraps the JDK's default trust manager that trusts only {@code ca}. */
    static ServerVerificationCounter trusting(X509Certificate ca) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("ca", ca);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager extended) {
                    return new ServerVerificationCounter(extended);
                }
            }
            throw new IllegalStateException("no X509ExtendedTrustManager from " + factory.getAlgorithm());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the client trust manager", e);
        }
    }

    /** How many server chains this trust manager has checked (single-threaded use only). */
    long serverChecks() {
        return serverChecks;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        serverChecks++;
        delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        serverChecks++;
        delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        serverChecks++;
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
