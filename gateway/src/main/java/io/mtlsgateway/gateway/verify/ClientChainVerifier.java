package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.gateway.pki.BouncyCastle;
import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.internal.tcnative.CertificateVerifier;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Decides whether a client chain is trusted: RFC 5280 path validation by the JDK's PKIX trust
 * manager with BouncyCastle signature verification (several times cheaper than the JDK's own
 * ECDSA). Rejections carry the X509_V_ERR code that makes BoringSSL send a meaningful alert.
 */
public final class ClientChainVerifier extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager pkix;
    private final X509Certificate[] anchors;

    private ClientChainVerifier(X509ExtendedTrustManager pkix, List<X509Certificate> anchors) {
        this.pkix = pkix;
        this.anchors = anchors.toArray(X509Certificate[]::new);
    }

    /**
     * A verifier trusting these CA certificates.
     *
     * @throws GeneralSecurityException when one of them is not a CA certificate: a leaf in the
     *     trust bundle would be accepted without any check by the JDK
     */
    public static ClientChainVerifier trusting(List<X509Certificate> caCertificates) throws GeneralSecurityException {
        Set<TrustAnchor> trustAnchors = new LinkedHashSet<>();
        for (X509Certificate ca : caCertificates) {
            if (ca.getBasicConstraints() < 0) {
                throw new GeneralSecurityException("not a CA certificate: " + ca.getSubjectX500Principal().getName()
                        + " (a client CA bundle must hold only CA certificates)");
            }
            trustAnchors.add(new TrustAnchor(ca, null));
        }
        BouncyCastle.provider();
        PKIXBuilderParameters parameters = new PKIXBuilderParameters(trustAnchors, new X509CertSelector());
        parameters.setRevocationEnabled(false);
        parameters.setSigProvider(BouncyCastle.provider().getName());
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(new CertPathTrustManagerParameters(parameters));
        return new ClientChainVerifier((X509ExtendedTrustManager) factory.getTrustManagers()[0], caCertificates);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        try {
            pkix.checkClientTrusted(chain, authType, engine);
        } catch (CertificateException | RuntimeException e) {
            // LazyX509Certificate throws IllegalStateException on a malformed DER.
            throw new OpenSslCertificateException(e.getMessage(), e, CertificateVerifier.X509_V_ERR_CERT_REJECTED);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("client verification is only supported through an SSLEngine");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("client verification is only supported through an SSLEngine");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("this trust manager verifies clients only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("this trust manager verifies clients only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("this trust manager verifies clients only");
    }

    /** Sent in the CertificateRequest, so clients pick a certificate from one of these CAs. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return anchors.clone();
    }
}
