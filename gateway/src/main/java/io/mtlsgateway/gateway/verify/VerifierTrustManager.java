package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.gateway.tls.TicketSizeGuard;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.handler.ssl.ResumableX509ExtendedTrustManager;
import io.netty.internal.tcnative.CertificateVerifier;
import io.netty.util.internal.ThreadExecutorMap;
import java.io.IOException;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Puts a {@link ClientVerifier} into BoringSSL's handshake. Full handshakes run on the
 * verification executor (the context uses {@code USE_TASKS}); resumed ones on the event loop, where
 * only the cheap re-check runs. A rejection becomes the X509_V_ERR code that makes BoringSSL send
 * the alert of DESIGN.md, with the verdict as the exception's cause for the failure log.
 */
public final class VerifierTrustManager extends X509ExtendedTrustManager implements ResumableX509ExtendedTrustManager {
    private final ClientVerifier verifier;
    private final X509Certificate[] acceptedIssuers;

    public VerifierTrustManager(ClientVerifier verifier) {
        this.verifier = verifier;
        this.acceptedIssuers = verifier.anchors().toArray(X509Certificate[]::new);
    }

    /** The trust manager of a listener (see {@link ClientVerifier#forListener(TlsConfig)}). */
    public static VerifierTrustManager forListener(TlsConfig tls) throws IOException {
        return new VerifierTrustManager(ClientVerifier.forListener(tls));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        // Under a handshake flood the bounded executor runs tasks on the caller, the event loop:
        // never wait for a network answer there.
        throwIfRejected(verifier.verify(List.of(chain), !onEventLoop()), chain);
        TicketSizeGuard.check(chain, engine);
    }

    @Override
    public void resumeClientTrusted(X509Certificate[] chain, SSLEngine engine) throws CertificateException {
        throwIfRejected(verifier.recheck(List.of(chain)), chain);
    }

    static void throwIfRejected(Verdict verdict, X509Certificate[] chain) throws CertificateException {
        if (verdict instanceof Verdict.Rejected rejected) {
            ClientCertificateRejectedException cause = new ClientCertificateRejectedException(rejected,
                    chain.length > 0 ? chain[0] : null);
            throw new OpenSslCertificateException(cause.getMessage(), cause, errorCode(rejected.reason()));
        }
    }

    /** The X509_V_ERR code whose alert BoringSSL sends (notes §1.4, measured). */
    static int errorCode(RejectionReason reason) {
        return switch (reason) {
            case UNTRUSTED -> CertificateVerifier.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
            case EXPIRED -> CertificateVerifier.X509_V_ERR_CERT_HAS_EXPIRED;
            case NOT_YET_VALID -> CertificateVerifier.X509_V_ERR_CERT_NOT_YET_VALID;
            case CRL_EXPIRED -> CertificateVerifier.X509_V_ERR_CRL_HAS_EXPIRED;
            case REVOKED -> CertificateVerifier.X509_V_ERR_CERT_REVOKED;
            case BAD_USAGE, WEAK_KEY -> CertificateVerifier.X509_V_ERR_INVALID_PURPOSE;
            case NAME_MISMATCH, PIN_MISMATCH -> CertificateVerifier.X509_V_ERR_HOSTNAME_MISMATCH;
            case NO_CERTIFICATE, REVOCATION_UNKNOWN, CONSTRAINTS, MALFORMED, DEPTH ->
                    CertificateVerifier.X509_V_ERR_CERT_REJECTED;
        };
    }

    private static boolean onEventLoop() {
        return ThreadExecutorMap.currentExecutor() instanceof EventLoop;
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

    @Override
    public void resumeServerTrusted(X509Certificate[] chain, SSLEngine engine) throws CertificateException {
        throw new CertificateException("this trust manager verifies clients only");
    }

    /** Sent in the CertificateRequest, so clients pick a certificate from one of these CAs. */
    /**
     * Whether a chain accepted earlier still passes, from what is known without waiting (CRL
     * index, cached OCSP answers, validity): safe to call on an event loop.
     */
    public boolean stillTrusts(java.util.List<X509Certificate> chain) {
        // A new verifier starts with an empty OCSP cache: "no fresh answer cached" is not a reason
        // to cut a client off mid-connection (hard-fail applies to its next handshake). Only a
        // definite no closes it: revoked, expired, no longer anchored.
        Verdict verdict = verifier.recheck(chain);
        return verdict instanceof Verdict.Accepted
                || verdict instanceof Verdict.Rejected rejected && rejected.reason() == RejectionReason.REVOCATION_UNKNOWN;
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return acceptedIssuers.clone();
    }
}
