package io.mtlsgateway.bench;

import io.mtlsgateway.gateway.verify.VerifierTrustManager;
import io.netty.handler.ssl.ResumableX509ExtendedTrustManager;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The gateway's {@link VerifierTrustManager}, counting what it was asked and what it accepted, so the
 * handshake benchmark can prove that every measured handshake was a full verification that the gateway's
 * verifier accepted (not a resumption, not an accident of some other trust manager).
 *
 * <p>It implements {@link ResumableX509ExtendedTrustManager} like the wrapped manager, so Netty treats it
 * exactly as it treats the gateway's own; the counting is a few field updates per handshake. Not
 * thread-safe: the benchmark runs the delegated verification task on its own thread.
 */
final class ClientVerificationCounter extends X509ExtendedTrustManager implements ResumableX509ExtendedTrustManager {
    private final VerifierTrustManager delegate;
    private long fullChecks;
    private long accepted;
    private long resumptions;
    private X509Certificate lastAcceptedLeaf;

    ClientVerificationCounter(VerifierTrustManager delegate) {
        this.delegate = delegate;
    }

    /** Full client-chain verifications asked for. */
    long fullChecks() {
        return fullChecks;
    }

    /** Full verifications the verifier accepted. */
    long accepted() {
        return accepted;
    }

    /** Resumed sessions re-checked (a full-handshake benchmark expects none). */
    long resumptions() {
        return resumptions;
    }

    /** The leaf of the last accepted chain, as BoringSSL handed it over. */
    X509Certificate lastAcceptedLeaf() {
        return lastAcceptedLeaf;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        fullChecks++;
        delegate.checkClientTrusted(chain, authType, engine);
        accepted++;
        lastAcceptedLeaf = chain[0];
    }

    @Override
    public void resumeClientTrusted(X509Certificate[] chain, SSLEngine engine) throws CertificateException {
        resumptions++;
        delegate.resumeClientTrusted(chain, engine);
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
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public void resumeServerTrusted(X509Certificate[] chain, SSLEngine engine) throws CertificateException {
        delegate.resumeServerTrusted(chain, engine);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
