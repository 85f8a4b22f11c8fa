package io.mtlsgateway.bench;

import io.mtlsgateway.gateway.tls.PemFiles;
import io.mtlsgateway.gateway.verify.OneSidedTrustManager;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A client's trust manager: the JDK default one for the given CAs, counting how often it checks
 * the server.
 *
 * <p>A resumed handshake skips certificate verification, so a count that did not move proves the
 * handshake was not a full one: the benchmarks use it to refuse to measure resumptions by accident.
 * The load client calls it from several event loops at once, hence the {@link LongAdder}. Only
 * the engine check of the server side is taken: nothing else is how a client's handshake asks.
 */
public final class ServerVerificationCounter extends OneSidedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final LongAdder serverChecks = new LongAdder();

    private ServerVerificationCounter(X509ExtendedTrustManager delegate) {
        super("servers");
        this.delegate = delegate;
    }

    /** Wraps the JDK's default trust manager that trusts only {@code ca}. */
    public static ServerVerificationCounter trusting(X509Certificate ca) {
        try {
            return trusting(List.of(ca));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the client trust manager", e);
        }
    }

    /** Trusts every certificate in the PEM file {@code caFile}, and nothing else. */
    public static ServerVerificationCounter trusting(Path caFile) throws IOException, GeneralSecurityException {
        return trusting(PemFiles.readCertificates(caFile));
    }

    private static ServerVerificationCounter trusting(List<X509Certificate> cas) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot create an empty key store", e);
        }
        for (int i = 0; i < cas.size(); i++) {
            store.setCertificateEntry("ca-" + i, cas.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager extended) {
                return new ServerVerificationCounter(extended);
            }
        }
        throw new GeneralSecurityException("no X509ExtendedTrustManager from " + factory.getAlgorithm());
    }

    /** How many server chains this trust manager has checked. */
    public long serverChecks() {
        return serverChecks.sum();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        serverChecks.increment();
        delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
