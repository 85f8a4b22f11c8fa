package io.mtlsgateway.gateway.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.OcspMode;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.ClientChains;
import io.mtlsgateway.gateway.testing.OcspResponder;
import io.mtlsgateway.gateway.testing.OcspResponder.Answer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** OCSP against a real responder on loopback: good, revoked, unknown, unreachable and slow, under each mode. */
class OcspVerificationTest {
    /**
     * Long enough for a good answer on a loaded build machine (the first fetch also warms up the
     * HTTP client and the responder's signing); the slow responder never answers, so it still times out.
     */
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    static Path dir;

    static ClientChains chains;
    static OcspResponder responder;
    static URI unreachable;

    @BeforeAll
    static void start() throws Exception {
        chains = new ClientChains(dir);
        responder = OcspResponder.start(chains.intermediate);
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            unreachable = URI.create("http://127.0.0.1:" + probe.getLocalPort() + "/ocsp");
        }
    }

    @AfterAll
    static void stop() {
        if (responder != null) {
            responder.close();
        }
    }

    enum Scenario { GOOD, REVOKED, UNKNOWN, UNREACHABLE, SLOW }

    static Stream<Arguments> matrix() {
        List<Arguments> rows = new ArrayList<>();
        for (Scenario scenario : Scenario.values()) {
            rows.add(Arguments.of(OcspMode.OFF, scenario, null));
            rows.add(Arguments.of(OcspMode.SOFT_FAIL, scenario,
                    scenario == Scenario.REVOKED ? HandshakeReason.REVOKED : null));
            rows.add(Arguments.of(OcspMode.HARD_FAIL, scenario, switch (scenario) {
                case GOOD -> null;
                case REVOKED -> HandshakeReason.REVOKED;
                case UNKNOWN, UNREACHABLE, SLOW -> HandshakeReason.REVOCATION_UNKNOWN;
            }));
        }
        return rows.stream();
    }

    private static IssuedCertificate client(Scenario scenario) {
        CertificateBuilder builder = ClientChains.leaf("ocsp-" + scenario.name().toLowerCase())
                .ocspResponder(scenario == Scenario.UNREACHABLE ? unreachable : responder.uri());
        IssuedCertificate client = builder.signedBy(chains.intermediate);
        switch (scenario) {
            case GOOD -> responder.answer(client.certificate().getSerialNumber(), Answer.GOOD);
            case REVOKED -> responder.answer(client.certificate().getSerialNumber(), Answer.REVOKED);
            case SLOW -> responder.answer(client.certificate().getSerialNumber(), Answer.SLOW);
            case UNKNOWN, UNREACHABLE -> { }
        }
        return client;
    }

    private static ClientVerifier verifier(OcspMode mode, OcspFetcher fetcher) throws Exception {
        ClientVerifierBuilder builder = ClientVerifier.builder(List.of(chains.root.certificate())).ocsp(mode)
                .ocspTimeout(TIMEOUT);
        if (fetcher != null) {
            builder.ocspFetcher(fetcher);
        }
        return builder.build();
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("matrix")
    void answersPerModeAndResponderBehaviour(OcspMode mode, Scenario scenario, HandshakeReason expected)
            throws Exception {
        int requestsBefore = responder.requests();
        Verdict verdict = verifier(mode, null).verify(ClientChains.sent(client(scenario)));
        if (expected == null) {
            assertInstanceOf(Verdict.Accepted.class, verdict, verdict.toString());
        } else {
            Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class, verdict);
            assertEquals(expected, rejected.reason(), rejected.detail());
            assertTrue(rejected.detail().contains("OCSP"), rejected.detail());
        }
        if (mode == OcspMode.OFF) {
            assertEquals(requestsBefore, responder.requests(), "ocsp: off must not ask the responder");
        }
    }

    @Test
    void cachesAVerifiedAnswerUntilItsNextUpdate() throws Exception {
        IssuedCertificate client = client(Scenario.GOOD);
        ClientVerifier verifier = verifier(OcspMode.HARD_FAIL, null);
        int before = responder.requests();
        for (int i = 0; i < 3; i++) {
            assertInstanceOf(Verdict.Accepted.class, verifier.verify(ClientChains.sent(client)));
        }
        assertEquals(before + 1, responder.requests());
    }

    @Test
    void sharesOneRequestAmongConcurrentHandshakesOfTheSameCertificate() throws Exception {
        IssuedCertificate client = client(Scenario.GOOD);
        // The responder's real answer, fetched first with no deadline to meet: the first exchange of a JVM
        // (the HTTP client made, the responder's signing, the verifier's code) can take seconds on a loaded
        // machine, and what this test checks is the sharing of a request in flight, not how fast it returns.
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        OcspFetcher patient = new HttpOcspFetcher(Duration.ofSeconds(60));
        ClientVerifier first = ClientVerifier.builder(List.of(chains.root.certificate())).ocsp(OcspMode.HARD_FAIL)
                .ocspTimeout(Duration.ofSeconds(60))
                .ocspFetcher((uri, request) -> patient.fetch(uri, request).whenComplete((der, e) -> {
                    if (der != null) {
                        answer.complete(der);
                    }
                }))
                .build();
        Verdict warm = first.verify(ClientChains.sent(client));
        assertInstanceOf(Verdict.Accepted.class, warm, warm.toString());

        AtomicInteger fetches = new AtomicInteger();
        CompletableFuture<Void> release = new CompletableFuture<>();
        ClientVerifier verifier = verifier(OcspMode.HARD_FAIL, (uri, request) -> {
            fetches.incrementAndGet();
            // Held until every caller is verifying, so that they overlap.
            return release.thenApply(ignored -> answer.join());
        });
        CountDownLatch verifying = new CountDownLatch(4);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Verdict>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> {
                    verifying.countDown();
                    return verifier.verify(ClientChains.sent(client));
                }));
            }
            assertTrue(verifying.await(60, TimeUnit.SECONDS));
            release.complete(null);
            for (Future<Verdict> result : results) {
                Verdict verdict = result.get();
                assertInstanceOf(Verdict.Accepted.class, verdict, verdict.toString());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, fetches.get());
    }

    @Test
    void refusesAnAnswerNotSignedByTheIssuerUnderHardFail() throws Exception {
        IssuedCertificate impostor = new CertificateBuilder().subject("CN=impostor CA").ca(-1).selfSigned();
        try (OcspResponder forged = OcspResponder.start(impostor)) {
            IssuedCertificate client = ClientChains.leaf("forged-ocsp").ocspResponder(forged.uri())
                    .signedBy(chains.intermediate);
            forged.answer(client.certificate().getSerialNumber(), Answer.GOOD);
            Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class,
                    verifier(OcspMode.HARD_FAIL, null).verify(ClientChains.sent(client)));
            assertEquals(HandshakeReason.REVOCATION_UNKNOWN, rejected.reason());
            assertTrue(rejected.detail().contains("signed neither by the issuer"), rejected.detail());
        }
    }

    @Test
    void usesOnlyCachedAnswersWhenItMustNotBlock() throws Exception {
        IssuedCertificate client = client(Scenario.GOOD);
        ClientVerifier verifier = verifier(OcspMode.HARD_FAIL, null);
        int before = responder.requests();
        Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class,
                verifier.recheck(ClientChains.sent(client)));
        assertEquals(HandshakeReason.REVOCATION_UNKNOWN, rejected.reason());
        assertEquals(before, responder.requests(), "a resumption re-check must never fetch");
        assertInstanceOf(Verdict.Accepted.class, verifier.verify(ClientChains.sent(client)));
        assertInstanceOf(Verdict.Accepted.class, verifier.recheck(ClientChains.sent(client)));
        assertEquals(before + 1, responder.requests());
    }
}
