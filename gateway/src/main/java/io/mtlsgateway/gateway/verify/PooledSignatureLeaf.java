package io.mtlsgateway.gateway.verify;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.PublicKey;
import java.security.SignatureException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * A new client's leaf as the JDK's PKIX validator sees it: the certificate itself in every respect, except that
 * checking its signature with the native provider goes through {@link ChainSignatures#verifyNatively}, which
 * keeps an engine per thread, algorithm and issuer key. The JDK's certificate creates a provider engine and has
 * the issuer's key converted for every new client: about 25 µs of a miss here (docs/performance.md).
 *
 * <p>The signature is still checked, in full, for every leaf: only the engine is reused. Only the leaf is
 * wrapped: an intermediate's check is remembered by the JDK's certificate object across clients, and a wrapper
 * would lose that.
 */
final class PooledSignatureLeaf extends DelegatingCertificate {
    PooledSignatureLeaf(X509Certificate cert) {
        super(cert);
    }

    @Override
    public void verify(PublicKey key, String sigProvider) throws CertificateException, NoSuchAlgorithmException,
            InvalidKeyException, NoSuchProviderException, SignatureException {
        if (!ChainSignatures.isNative(sigProvider)) {
            cert.verify(key, sigProvider);
            return;
        }
        ChainSignatures.verifyNatively(cert, key);
    }
}
