package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtlsgateway.gateway.metrics.HandshakeReason;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Handshake failures become a bounded reason, the most specific one in the cause chain. */
class HandshakeFailureClassifierTest {
    private static Throwable wrapped(Throwable cause) {
        SSLHandshakeException outer = new SSLHandshakeException("error:10000412:SSL routines:OPENSSL_internal");
        outer.initCause(cause);
        return outer;
    }

    @Test
    void readsAMissingClientCertificateFromBoringSslsMessage() {
        assertEquals(HandshakeReason.NO_CERTIFICATE, HandshakeFailureClassifier.classify(new SSLHandshakeException(
                "error:1000046c:SSL routines:OPENSSL_internal:PEER_DID_NOT_RETURN_A_CERTIFICATE")));
    }

    @Test
    void prefersExpiryOverTheGenericUntrustedWrapper() {
        CertificateException untrusted = new CertificateException("chain rejected", new CertificateExpiredException());
        assertEquals(HandshakeReason.EXPIRED, HandshakeFailureClassifier.classify(wrapped(untrusted)));
        assertEquals(HandshakeReason.REVOKED, HandshakeFailureClassifier.classify(wrapped(new CertPathValidatorException(
                "revoked", null, null, -1, CertPathValidatorException.BasicReason.REVOKED))));
    }

    @Test
    void classifiesUntrustedTimeoutClosedProtocolAndOther() {
        assertEquals(HandshakeReason.UNTRUSTED,
                HandshakeFailureClassifier.classify(wrapped(new CertificateException("no path to anchor"))));
        assertEquals(HandshakeReason.TIMEOUT,
                HandshakeFailureClassifier.classify(new SslHandshakeTimeoutException("timed out")));
        assertEquals(HandshakeReason.CLOSED, HandshakeFailureClassifier.classify(new ClosedChannelException()));
        assertEquals(HandshakeReason.PROTOCOL, HandshakeFailureClassifier.classify(new NotSslRecordException("GET /")));
        assertEquals(HandshakeReason.OTHER, HandshakeFailureClassifier.classify(new IllegalStateException("?")));
    }

    @Test
    void namesTheReasonsBoringSslRefusesACertificateForItself() {
        assertEquals(HandshakeReason.BAD_USAGE, HandshakeFailureClassifier.classify(new SSLHandshakeException(
                "error:1000010f:SSL routines:OPENSSL_internal:KEY_USAGE_BIT_INCORRECT")));
        assertEquals(HandshakeReason.WEAK_KEY, HandshakeFailureClassifier.classify(new SSLHandshakeException(
                "error:04000069:RSA routines:OPENSSL_internal:MODULUS_TOO_LARGE")));
        assertEquals(HandshakeReason.WEAK_KEY, HandshakeFailureClassifier.classify(wrapped(new SSLHandshakeException(
                "error:10000130:SSL routines:OPENSSL_internal:WRONG_CURVE"))));
    }
}
