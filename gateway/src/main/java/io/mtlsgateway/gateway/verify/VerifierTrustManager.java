package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.gateway.tls.TicketSizeGuard;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.handler.ssl.ResumableX509ExtendedTrustManager;
import io.netty.internal.tcnative.CertificateVerifier;
import io.netty.util.internal.ThreadExecutorMap;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;

/**
 * Puts a {@link ClientVerifier} into BoringSSL's handshake. Full handshakes run on the
 * verification executor (the context uses {@code USE_TASKS}); resumed ones on the event loop, where
 * only the cheap re-check runs. A rejection becomes the X509_V_ERR code that makes BoringSSL send
 * the alert of DESIGN.md, with the verdict as the exception's cause for the failure log. An
 * accepted verdict is handed to the connection's handshake gate through {@link #verdicts()}.
 */
public final class VerifierTrustManager extends OneSidedTrustManager implements ResumableX509ExtendedTrustManager {
    private final ClientVerifier verifier;
    private final X509Certificate[] acceptedIssuers;
    private final HandshakeVerdicts verdicts = HandshakeVerdicts.SHARED;

    public VerifierTrustManager(ClientVerifier verifier) {
        super("clients");
        this.verifier = verifier;
        this.acceptedIssuers = verifier.anchors().toArray(X509Certificate[]::new);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        // Under a handshake flood the bounded executor runs tasks on the caller, the event loop:
        // never wait for a network answer there.
        conclude(verifier.verify(List.of(chain), !onEventLoop()), chain, engine);
        TicketSizeGuard.check(chain, engine);
    }

    @Override
    public void resumeClientTrusted(X509Certificate[] chain, SSLEngine engine) throws CertificateException {
        conclude(verifier.recheck(List.of(chain)), chain, engine);
    }

    /** Where the accepted verdicts of this trust manager's handshakes wait for their gate. */
    public HandshakeVerdicts verdicts() {
        return verdicts;
    }

    private void conclude(Verdict verdict, X509Certificate[] chain, SSLEngine engine) throws CertificateException {
        if (verdict instanceof Verdict.Accepted accepted) {
            verdicts.accepted(engine, accepted);
        }
        throwIfRejected(verdict, chain);
    }

    static void throwIfRejected(Verdict verdict, X509Certificate[] chain) throws CertificateException {
        if (verdict instanceof Verdict.Rejected rejected) {
            ClientCertificateRejectedException cause = new ClientCertificateRejectedException(rejected,
                    chain.length > 0 ? chain[0] : null);
            throw new OpenSslCertificateException(cause.getMessage(), cause, errorCode(rejected.reason()));
        }
    }

    /** The X509_V_ERR code whose alert BoringSSL sends (notes §1.4, measured). */
    static int errorCode(HandshakeReason reason) {
        return switch (reason) {
            case UNTRUSTED -> CertificateVerifier.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
            case EXPIRED -> CertificateVerifier.X509_V_ERR_CERT_HAS_EXPIRED;
            case NOT_YET_VALID -> CertificateVerifier.X509_V_ERR_CERT_NOT_YET_VALID;
            case CRL_EXPIRED -> CertificateVerifier.X509_V_ERR_CRL_HAS_EXPIRED;
            case REVOKED -> CertificateVerifier.X509_V_ERR_CERT_REVOKED;
            case BAD_USAGE, WEAK_KEY -> CertificateVerifier.X509_V_ERR_INVALID_PURPOSE;
            case NAME_MISMATCH, PIN_MISMATCH -> CertificateVerifier.X509_V_ERR_HOSTNAME_MISMATCH;
            // The last six are handshake outcomes the verifier never gives.
            case NO_CERTIFICATE, REVOCATION_UNKNOWN, CONSTRAINTS, MALFORMED, DEPTH, NONE, TIMEOUT, CLOSED, PROTOCOL,
                    OTHER, UNKNOWN_SNI -> CertificateVerifier.X509_V_ERR_CERT_REJECTED;
        };
    }

    private static boolean onEventLoop() {
        return ThreadExecutorMap.currentExecutor() instanceof EventLoop;
    }

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
                || verdict instanceof Verdict.Rejected rejected && rejected.reason() == HandshakeReason.REVOCATION_UNKNOWN;
    }

    /** Sent in the CertificateRequest, so clients pick a certificate from one of these CAs. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return acceptedIssuers.clone();
    }
}
