package io.mtlsgateway.gateway.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mtlsgateway.gateway.testing.ClientChains;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.internal.tcnative.CertificateVerifier;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Netty adapter. Resumption is tested here directly: forcing a TLS 1.3 resumption from the
 * JDK client is not reliable, so {@code resumeClientTrusted} is called as Netty's
 * ResumptionController would call it.
 */
class VerifierTrustManagerTest {
    @TempDir
    static Path dir;

    static ClientChains chains;
    static VerifierTrustManager trust;

    @BeforeAll
    static void setUp() throws Exception {
        // The trust manager's alert codes are tcnative's constants, which need its native library; in the gateway
        // a BoringSSL handshake has always loaded it, here nothing else may have (the class run on its own).
        OpenSsl.ensureAvailability();
        chains = new ClientChains(dir);
        trust = new VerifierTrustManager(ClientVerifier.builder(List.of(chains.root.certificate()))
                .crlFiles(chains.crlFiles()).build());
    }

    private static X509Certificate[] chain(io.mtlsgateway.gateway.pki.IssuedCertificate cert) {
        return ClientChains.sent(cert).toArray(X509Certificate[]::new);
    }

    @Test
    void resumedSessionOfARevokedClientFailsWithCertificateRevoked() {
        OpenSslCertificateException e = assertThrows(OpenSslCertificateException.class,
                () -> trust.resumeClientTrusted(chain(chains.revoked), null));
        assertEquals(CertificateVerifier.X509_V_ERR_CERT_REVOKED, e.errorCode());
        ClientCertificateRejectedException cause = assertInstanceOf(ClientCertificateRejectedException.class,
                e.getCause());
        assertEquals(HandshakeReason.REVOKED, cause.rejection().reason());
        assertEquals(chains.revoked.certificate().getSerialNumber().toString(16), cause.serial());
    }

    @Test
    void resumedSessionOfAGoodClientPasses() throws Exception {
        trust.resumeClientTrusted(chain(chains.good), null);
    }

    @Test
    void resumedSessionOfAClientExpiredSinceFailsWithCertificateExpired() throws Exception {
        VerifierTrustManager later = new VerifierTrustManager(ClientVerifier.builder(List.of(chains.root.certificate()))
                .clock(Clock.fixed(Instant.now().plus(Duration.ofDays(90)), ZoneOffset.UTC)).build());
        OpenSslCertificateException e = assertThrows(OpenSslCertificateException.class,
                () -> later.resumeClientTrusted(chain(chains.good), null));
        assertEquals(CertificateVerifier.X509_V_ERR_CERT_HAS_EXPIRED, e.errorCode());
    }

    @Test
    void fullHandshakeRejectionCarriesTheVerdictAsCause() {
        OpenSslCertificateException e = assertThrows(OpenSslCertificateException.class,
                () -> trust.checkClientTrusted(chain(chains.revoked), "EC", (javax.net.ssl.SSLEngine) null));
        assertInstanceOf(ClientCertificateRejectedException.class, e.getCause());
    }

    @Test
    void mapsEveryReasonToTheCodeOfItsAlert() {
        Map<HandshakeReason, Integer> expected = Map.ofEntries(
                Map.entry(HandshakeReason.UNTRUSTED, CertificateVerifier.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY),
                Map.entry(HandshakeReason.EXPIRED, CertificateVerifier.X509_V_ERR_CERT_HAS_EXPIRED),
                Map.entry(HandshakeReason.NOT_YET_VALID, CertificateVerifier.X509_V_ERR_CERT_NOT_YET_VALID),
                Map.entry(HandshakeReason.CRL_EXPIRED, CertificateVerifier.X509_V_ERR_CRL_HAS_EXPIRED),
                Map.entry(HandshakeReason.REVOKED, CertificateVerifier.X509_V_ERR_CERT_REVOKED),
                Map.entry(HandshakeReason.BAD_USAGE, CertificateVerifier.X509_V_ERR_INVALID_PURPOSE),
                Map.entry(HandshakeReason.WEAK_KEY, CertificateVerifier.X509_V_ERR_INVALID_PURPOSE),
                Map.entry(HandshakeReason.REVOCATION_UNKNOWN, CertificateVerifier.X509_V_ERR_CERT_REJECTED),
                Map.entry(HandshakeReason.CONSTRAINTS, CertificateVerifier.X509_V_ERR_CERT_REJECTED),
                Map.entry(HandshakeReason.MALFORMED, CertificateVerifier.X509_V_ERR_CERT_REJECTED),
                Map.entry(HandshakeReason.DEPTH, CertificateVerifier.X509_V_ERR_CERT_REJECTED),
                Map.entry(HandshakeReason.NO_CERTIFICATE, CertificateVerifier.X509_V_ERR_CERT_REJECTED),
                Map.entry(HandshakeReason.NAME_MISMATCH, CertificateVerifier.X509_V_ERR_HOSTNAME_MISMATCH),
                Map.entry(HandshakeReason.PIN_MISMATCH, CertificateVerifier.X509_V_ERR_HOSTNAME_MISMATCH),
                // Handshake outcomes the verifier never gives: the generic code, should one ever appear.
                Map.entry(HandshakeReason.NONE, CertificateVerifier.X509_V_ERR_CERT_REJECTED),
                Map.entry(HandshakeReason.TIMEOUT, CertificateVerifier.X509_V_ERR_CERT_REJECTED),
                Map.entry(HandshakeReason.CLOSED, CertificateVerifier.X509_V_ERR_CERT_REJECTED),
                Map.entry(HandshakeReason.PROTOCOL, CertificateVerifier.X509_V_ERR_CERT_REJECTED),
                Map.entry(HandshakeReason.OTHER, CertificateVerifier.X509_V_ERR_CERT_REJECTED),
                Map.entry(HandshakeReason.UNKNOWN_SNI, CertificateVerifier.X509_V_ERR_CERT_REJECTED));
        for (HandshakeReason reason : HandshakeReason.values()) {
            assertEquals(expected.get(reason), VerifierTrustManager.errorCode(reason), reason.label());
        }
    }

    @Test
    void advertisesTheAnchorsAsAcceptedIssuers() {
        assertArrayEquals(new X509Certificate[] {chains.root.certificate()}, trust.getAcceptedIssuers());
    }
}
