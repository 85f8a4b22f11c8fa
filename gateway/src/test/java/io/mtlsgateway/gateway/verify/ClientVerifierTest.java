package io.mtlsgateway.gateway.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.OcspMode;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.config.TlsProtocol;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.ClientChains;
import io.mtlsgateway.gateway.testing.ClientChains.Case;
import io.mtlsgateway.gateway.tls.ListenerMaterial;
import io.mtlsgateway.gateway.tls.PemFiles;
import io.netty.handler.ssl.util.LazyX509Certificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The verifier on its own: every rejection reason, the cache, trust-anchor checks and the validation clock. */
class ClientVerifierTest {
    @TempDir
    static Path dir;

    static ClientChains chains;
    static ClientVerifier verifier;

    @BeforeAll
    static void setUp() throws Exception {
        chains = new ClientChains(dir);
        verifier = ClientVerifier.builder(List.of(chains.root.certificate())).crlFiles(chains.crlFiles()).build();
    }

    static List<Case> rejections() {
        return chains.rejections();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void rejectsWithTheReasonAndSaysWhy(Case rejection) {
        Verdict verdict = verifier.verify(ClientChains.sent(rejection.client()));
        Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class, verdict, rejection.name());
        assertEquals(rejection.expected(), rejected.reason(), rejected.detail());
        assertTrue(rejected.detail().contains(rejection.explains()), rejected.detail());
        assertTrue(!rejected.detail().contains("BEGIN CERTIFICATE"), rejected.detail());
    }

    @Test
    void acceptsClientThatSendsItsIntermediateAndReadsItsIdentity() {
        Verdict.Accepted accepted = assertInstanceOf(Verdict.Accepted.class,
                verifier.verify(ClientChains.sent(chains.good)));
        assertEquals(2, accepted.path().size());
        assertEquals(chains.root.certificate(), accepted.anchor());
        assertEquals("spiffe://test.example/ns/prod/sa/good", accepted.identity().spiffe().orElseThrow());
    }

    @Test
    void acceptsRsaPssWithSha256ButNotWithSha1() throws Exception {
        IssuedCertificate rsaCa = new CertificateBuilder().subject("CN=pss CA").keyType(
                io.mtlsgateway.gateway.pki.KeyType.RSA_2048).ca(0).signedBy(chains.root);
        IssuedCertificate pss256 = ClientChains.leaf("pss256").signatureAlgorithm("SHA256withRSAandMGF1")
                .signedBy(rsaCa);
        IssuedCertificate pss1 = ClientChains.leaf("pss1").signatureAlgorithm("SHA1withRSAandMGF1").signedBy(rsaCa);
        assertInstanceOf(Verdict.Accepted.class, verifier.verify(ClientChains.sent(pss256)));
        Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class, verifier.verify(ClientChains.sent(pss1)));
        assertEquals(HandshakeReason.WEAK_KEY, rejected.reason(), rejected.detail());
    }

    @Test
    void acceptsClientIssuedDirectlyByTheAnchor() {
        IssuedCertificate direct = ClientChains.leaf("direct").signedBy(chains.root);
        assertInstanceOf(Verdict.Accepted.class, verifier.verify(ClientChains.sent(direct)));
    }

    @Test
    void rejectsAnEmptyChainAsNoCertificate() {
        Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class, verifier.verify(List.of()));
        assertEquals(HandshakeReason.NO_CERTIFICATE, rejected.reason());
    }

    @Test
    void refusesANonCaCertificateAsTrustAnchor() throws IOException {
        IssuedCertificate leaf = ClientChains.leaf("not-an-anchor").signedBy(chains.root);
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> ClientVerifier.builder(List.of(leaf.certificate())).build());
        assertTrue(e.getMessage().contains("not a CA certificate"), e.getMessage());

        Path bundle = dir.resolve("bad-ca.pem");
        PemFiles.write(bundle, chains.root.certificate(), leaf.certificate());
        TlsConfig tls = new TlsConfig(bundle, bundle, ClientAuthMode.REQUIRE, bundle, List.of(), OcspMode.OFF, 4,
                List.of(TlsProtocol.TLS_1_3), true);
        ListenerMaterial material = new ListenerMaterial(List.of(), null,
                List.of(chains.root.certificate(), leaf.certificate()), Map.of());
        IOException io = assertThrows(IOException.class,
                () -> ClientVerifier.forListener(tls, material, Clock.systemUTC()));
        assertTrue(io.getMessage().startsWith(bundle.toString()), io.getMessage());
    }

    @Test
    void aRepeatClientGetsTheIdentityReadOnceFromItsValidatedPath() throws Exception {
        ClientVerifier cached = ClientVerifier.builder(List.of(chains.root.certificate())).build();
        Verdict.Accepted first = assertInstanceOf(Verdict.Accepted.class, cached.verify(ClientChains.sent(chains.good)));
        Verdict.Accepted again = assertInstanceOf(Verdict.Accepted.class, cached.verify(ClientChains.sent(chains.good)));
        assertSame(first.identity(), again.identity());
        assertEquals(first.path().size(), first.identity().chainPem().size());
    }

    @Test
    void cachesTheChainVerdictButRechecksExpiryAgainstTheEntry() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        ClientVerifier cached = ClientVerifier.builder(List.of(chains.root.certificate())).clock(clock).build();
        assertInstanceOf(Verdict.Accepted.class, cached.verify(ClientChains.sent(chains.good)));
        assertInstanceOf(Verdict.Accepted.class, cached.verify(ClientChains.sent(chains.good)));
        assertEquals(1, cached.cachedChains());
        clock.now = chains.good.certificate().getNotAfter().toInstant().plusSeconds(1);
        Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class,
                cached.verify(ClientChains.sent(chains.good)));
        assertEquals(HandshakeReason.EXPIRED, rejected.reason());
    }

    @Test
    void neverCachesRevocationOnlyTheChainVerdict() {
        for (int i = 0; i < 2; i++) {
            Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class,
                    verifier.verify(ClientChains.sent(chains.revoked)));
            assertEquals(HandshakeReason.REVOKED, rejected.reason());
        }
    }

    @Test
    void validatesAtTheInjectedTime() throws Exception {
        Instant past = chains.good.certificate().getNotBefore().toInstant().minus(Duration.ofDays(1));
        ClientVerifier yesterday = ClientVerifier.builder(List.of(chains.root.certificate()))
                .clock(Clock.fixed(past, ZoneOffset.UTC)).build();
        Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class,
                yesterday.verify(ClientChains.sent(chains.good)));
        assertEquals(HandshakeReason.NOT_YET_VALID, rejected.reason());
    }

    @Test
    void rejectsEveryCertificateOfAnIssuerWhoseCrlExpiredAtTheValidationTime() throws Exception {
        Instant afterCrl = Instant.now().plus(Duration.ofDays(8));
        ClientVerifier later = ClientVerifier.builder(List.of(chains.root.certificate()))
                .crlFiles(chains.crlFiles()).clock(Clock.fixed(afterCrl, ZoneOffset.UTC)).build();
        IssuedCertificate longLived = ClientChains.leaf("long").validForDays(30).signedBy(chains.intermediate);
        Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class,
                later.verify(ClientChains.sent(longLived)));
        assertEquals(HandshakeReason.CRL_EXPIRED, rejected.reason());
        assertTrue(rejected.detail().contains("intermediate.crl.der expired at"), rejected.detail());
    }

    @Test
    void recheckForResumptionSeesRevocationAndExpiryWithoutSignatures() throws Exception {
        assertInstanceOf(Verdict.Accepted.class, verifier.recheck(ClientChains.sent(chains.good)));
        assertEquals(HandshakeReason.REVOKED,
                assertInstanceOf(Verdict.Rejected.class, verifier.recheck(ClientChains.sent(chains.revoked))).reason());
        ClientVerifier later = ClientVerifier.builder(List.of(chains.root.certificate()))
                .clock(Clock.fixed(Instant.now().plus(Duration.ofDays(60)), ZoneOffset.UTC)).build();
        assertEquals(HandshakeReason.EXPIRED,
                assertInstanceOf(Verdict.Rejected.class, later.recheck(ClientChains.sent(chains.good))).reason());
        IssuedCertificate otherRoot = new CertificateBuilder().subject("CN=new trust").ca(-1).selfSigned();
        ClientVerifier newTrust = ClientVerifier.builder(List.of(otherRoot.certificate())).build();
        assertEquals(HandshakeReason.UNTRUSTED,
                assertInstanceOf(Verdict.Rejected.class, newTrust.recheck(ClientChains.sent(chains.good))).reason());
    }

    @Test
    void recheckForResumptionAppliesThisVerifiersPolicyToAChainItNeverVerified() throws Exception {
        // A session made where a leaf without EKU is fine, resumed where requireEku is set (a reload
        // that set it, or ticket keys shared with another listener): as a full handshake would, refused.
        IssuedCertificate noEku = new CertificateBuilder().subject("CN=no eku,O=Test").signedBy(chains.intermediate);
        ClientVerifier lenient = ClientVerifier.builder(List.of(chains.root.certificate())).build();
        assertInstanceOf(Verdict.Accepted.class, lenient.verify(ClientChains.sent(noEku)));
        ClientVerifier strict = ClientVerifier.builder(List.of(chains.root.certificate())).requireEku(true).build();
        assertEquals(HandshakeReason.BAD_USAGE,
                assertInstanceOf(Verdict.Rejected.class, strict.recheck(ClientChains.sent(noEku))).reason());
    }

    @Test
    void recheckOfAChainVerifiedBeforeKeepsItsIdentityAndStillAppliesRevocationAndExpiry() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        ClientVerifier resuming = ClientVerifier.builder(List.of(chains.root.certificate()))
                .crlFiles(chains.crlFiles()).clock(clock).build();
        Verdict.Accepted verified = assertInstanceOf(Verdict.Accepted.class,
                resuming.verify(ClientChains.sent(chains.good)));

        // As Netty hands a resumed session's chain over: new certificate objects over the ticket's DER.
        Verdict.Accepted resumed = assertInstanceOf(Verdict.Accepted.class, resuming.recheck(asResumed(chains.good)));
        assertSame(verified.identity(), resumed.identity(), "the identity it was verified with, not a rebuilt one");

        // A chain whose path passed but whose leaf the CRL lists: cached as validated, revoked on every check.
        assertEquals(HandshakeReason.REVOKED, assertInstanceOf(Verdict.Rejected.class,
                resuming.verify(ClientChains.sent(chains.revoked))).reason());
        assertEquals(HandshakeReason.REVOKED, assertInstanceOf(Verdict.Rejected.class,
                resuming.recheck(asResumed(chains.revoked))).reason());

        clock.now = Instant.now().plus(Duration.ofDays(60));
        assertEquals(HandshakeReason.EXPIRED, assertInstanceOf(Verdict.Rejected.class,
                resuming.recheck(asResumed(chains.good))).reason());
    }

    private static List<X509Certificate> asResumed(IssuedCertificate leaf) throws Exception {
        List<X509Certificate> lazy = new java.util.ArrayList<>();
        for (X509Certificate cert : ClientChains.sent(leaf)) {
            lazy.add(new LazyX509Certificate(cert.getEncoded()));
        }
        return lazy;
    }

    @Test
    void intermediatesGivenToTheVerifierCompleteAChainTheClientSentAlone() throws Exception {
        ClientVerifier withIntermediates = ClientVerifier.builder(List.of(chains.root.certificate()))
                .intermediates(List.of(chains.intermediate.certificate())).build();
        assertInstanceOf(Verdict.Accepted.class,
                withIntermediates.verify(List.of(chains.good.certificate())));
    }

    @Test
    void crlFileThatCannotBeReadIsAStartupErrorNamingTheFile() throws IOException {
        Path garbage = Files.writeString(dir.resolve("garbage.crl"), "not a crl");
        IOException e = assertThrows(IOException.class, () -> ClientVerifier.builder(
                List.of(chains.root.certificate())).crlFiles(List.of(garbage)).build());
        assertTrue(e.getMessage().contains("garbage.crl"), e.getMessage());
    }

    /** A clock tests can move. */
    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
