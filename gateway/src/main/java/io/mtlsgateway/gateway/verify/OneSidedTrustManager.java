package io.mtlsgateway.gateway.verify;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A trust manager that judges one side of a handshake, on an {@link SSLEngine} only: every other
 * entry point refuses, so a trust manager wired into the wrong place fails its handshakes instead
 * of letting a chain through unchecked. A subclass overrides the engine check (and, when it is
 * resumable, the resume check) of the side it judges; whatever it does not override refuses.
 */
public abstract class OneSidedTrustManager extends X509ExtendedTrustManager {
    private final String judged;

    /** @param judged whom this trust manager judges, for the refusals ("clients", "upstream servers") */
    protected OneSidedTrustManager(String judged) {
        this.judged = judged;
    }

    private CertificateException notThroughAnEngine() {
        return new CertificateException(judged + " are only verified through an SSLEngine");
    }

    private CertificateException otherSide() {
        return new CertificateException("this trust manager verifies " + judged + " only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw otherSide();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw otherSide();
    }

    /** The resumed-session check of Netty's {@code ResumableX509ExtendedTrustManager}, for a subclass that is one. */
    public void resumeClientTrusted(X509Certificate[] chain, SSLEngine engine) throws CertificateException {
        throw otherSide();
    }

    /** As {@link #resumeClientTrusted}, for the server side. */
    public void resumeServerTrusted(X509Certificate[] chain, SSLEngine engine) throws CertificateException {
        throw otherSide();
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw notThroughAnEngine();
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw notThroughAnEngine();
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw notThroughAnEngine();
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw notThroughAnEngine();
    }
}
