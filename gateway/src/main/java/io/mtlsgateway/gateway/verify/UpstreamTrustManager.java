package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.config.ServerName;
import io.netty.handler.ssl.ResumableX509ExtendedTrustManager;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;

/**
 * Puts a {@link ServerVerifier} into BoringSSL's client handshake with an upstream. The name
 * checked is the engine's peer host, which is the name the connection was opened for (and sent as
 * SNI), so the two can never differ. A rejection fails the handshake with the verdict as the
 * exception's cause, for the upstream error's reason; nothing is ever sent on such a connection.
 * Verdicts are cached per chain, so this runs on the event loop: a repeat chain costs a hash.
 */
public final class UpstreamTrustManager extends OneSidedTrustManager implements ResumableX509ExtendedTrustManager {
    private final ServerVerifier verifier;
    private final X509Certificate[] acceptedIssuers;

    public UpstreamTrustManager(ServerVerifier verifier) {
        super("upstream servers");
        this.verifier = verifier;
        this.acceptedIssuers = verifier.anchors().toArray(X509Certificate[]::new);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        VerifierTrustManager.throwIfRejected(verifier.verify(List.of(chain), nameOf(engine)), chain);
    }

    @Override
    public void resumeServerTrusted(X509Certificate[] chain, SSLEngine engine) throws CertificateException {
        // A resumed session skips the certificate: re-check validity, revocation and the name.
        VerifierTrustManager.throwIfRejected(verifier.recheck(List.of(chain), nameOf(engine)), chain);
    }

    private static ServerName nameOf(SSLEngine engine) throws CertificateException {
        String host = engine.getPeerHost();
        try {
            return ServerName.parse(host);
        } catch (IllegalArgumentException e) {
            // The config validated every name; an engine without one is a wiring mistake.
            throw new CertificateException("no server name to check the upstream's certificate against: " + host, e);
        }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return acceptedIssuers.clone();
    }
}
