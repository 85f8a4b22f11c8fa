package io.mtlsgateway.gateway.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.CertificateBinding;
import io.mtlsgateway.config.JwksSource;
import io.mtlsgateway.config.JwtIssuerConfig;
import io.mtlsgateway.gateway.testing.JwksServer;
import io.mtlsgateway.gateway.testing.TestIssuer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A JWKS URL served by a real HTTP server in the test, fetched with the JDK client. */
class UrlKeySourceTest {
    private static final Duration MAX_STALE = Duration.ofHours(1);

    /** A clock the test moves; the sources read time only through it. */
    private static final class TestClock extends Clock {
        private volatile Instant now = Instant.parse("2026-12-01T10:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
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

    private final TestClock clock = new TestClock();
    private final TestIssuer k1 = TestIssuer.create("ES256", "k1");
    private final TestIssuer k2 = TestIssuer.create("ES256", "k2");
    private JwksServer server;
    private KeySources sources;

    @BeforeEach
    void setUp() throws Exception {
        server = new JwksServer().serve(k1.jwks());
        sources = new KeySources(clock);
    }

    @AfterEach
    void tearDown() {
        sources.close();
        server.close();
    }

    private static JwtIssuerConfig issuer(URI uri) {
        return new JwtIssuerConfig("idp", TestIssuer.ISSUER, List.of(TestIssuer.AUDIENCE),
                new JwksSource.Url(uri, MAX_STALE), JwtIssuerConfig.DEFAULT_ALGORITHMS, Duration.ofSeconds(60),
                CertificateBinding.OFF, Map.of(), Optional.empty(), JwtIssuerConfig.DEFAULT_MAX_TOKEN_SIZE, true);
    }

    private UrlKeySource started(URI uri) throws Exception {
        KeySource source = sources.forIssuers(Map.of("idp", issuer(uri))).get("idp");
        UrlKeySource url = assertInstanceOf(UrlKeySource.class, source);
        url.firstAttempt().get(20, TimeUnit.SECONDS);
        return url;
    }

    private static List<String> kids(KeySource source) {
        return source.keys().orElseThrow().keys().stream().map(k -> k.getKeyID()).toList();
    }

    @Test
    void fetchesAtStartSoTheFirstRequestDoesNotPayForIt() throws Exception {
        UrlKeySource source = started(server.uri());
        assertEquals(List.of("k1"), kids(source));
        assertTrue(source.everLoaded());
        assertEquals(1, server.requests());
    }

    @Test
    void anUnknownKidTriggersOneRateLimitedRefetch() throws Exception {
        UrlKeySource source = started(server.uri());
        server.serve(k1.jwks(k2));
        TokenValidator validator = new TokenValidator(issuer(server.uri()), source, Set.of());
        String rotated = k2.sign(TestIssuer.validClaims().build());
        TokenVerdict verdict = validator.validateFollowingRotation(rotated, Optional.empty(), Instant::now)
                .get(20, TimeUnit.SECONDS);
        assertInstanceOf(TokenVerdict.Accepted.class, verdict, () -> verdict.toString());
        assertEquals(2, server.requests());
        // A flood of forged kids costs no further fetch within the interval...
        TestIssuer forged = TestIssuer.create("ES256", "forged");
        for (int i = 0; i < 5; i++) {
            TokenVerdict refused = validator.validateFollowingRotation(forged.sign(TestIssuer.validClaims().build()),
                    Optional.empty(), Instant::now).get(20, TimeUnit.SECONDS);
            assertEquals(JwtRejection.UNKNOWN_KEY, ((TokenVerdict.Refused) refused).reason());
        }
        assertEquals(2, server.requests());
        // ...and one after it.
        clock.advance(RefreshPolicy.UNKNOWN_KEY_INTERVAL.plusSeconds(1));
        source.refreshForUnknownKey().get(20, TimeUnit.SECONDS);
        assertEquals(3, server.requests());
    }

    /**
     * The race a rotation at the IdP can meet: a fetch has published its keys but not yet ended when a
     * token with the new kid arrives. The refetch that token asks for must be a new fetch, not the
     * ending one, whose answer lacked the kid. The log line a first fetch writes after publishing
     * holds that fetch right there.
     */
    @Test
    void anUnknownKidSeenInKeysJustPublishedFetchesAgainRatherThanJoinTheEndingFetch() throws Exception {
        CountDownLatch published = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Handler holdFirstFetch = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getMessage().contains("key(s)") && published.getCount() > 0) {
                    published.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger log = Logger.getLogger(UrlKeySource.class.getName());
        Level level = log.getLevel();
        log.setLevel(Level.INFO);
        log.addHandler(holdFirstFetch);
        try {
            UrlKeySource source = assertInstanceOf(UrlKeySource.class,
                    sources.forIssuers(Map.of("idp", issuer(server.uri()))).get("idp"));
            assertTrue(published.await(30, TimeUnit.SECONDS));
            assertEquals(List.of("k1"), kids(source));
            server.serve(k1.jwks(k2));
            CompletableFuture<Void> refetch = source.refreshForUnknownKey();
            release.countDown();
            refetch.get(20, TimeUnit.SECONDS);
            assertEquals(List.of("k1", "k2"), kids(source));
            assertEquals(2, server.requests());
        } finally {
            release.countDown();
            log.removeHandler(holdFirstFetch);
            log.setLevel(level);
        }
    }

    @Test
    void keepsServingTheLastGoodKeysWhileTheServerIsDownForAtMostMaxStale() throws Exception {
        UrlKeySource source = started(server.uri());
        server.close();
        source.fetch().get(20, TimeUnit.SECONDS);
        assertEquals(List.of("k1"), kids(source));
        clock.advance(RefreshPolicy.DEFAULT_LIFETIME.plus(MAX_STALE).minusSeconds(1));
        assertEquals(List.of("k1"), kids(source));
        clock.advance(Duration.ofSeconds(2));
        assertEquals(Optional.empty(), source.keys());
        assertTrue(source.everLoaded());
    }

    @Test
    void aServerDownFromTheStartLeavesNoKeysAndTokensGetJwksUnavailable() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        UrlKeySource source = started(URI.create("http://127.0.0.1:" + port + "/jwks.json"));
        assertFalse(source.everLoaded());
        assertEquals(Optional.empty(), source.keys());
        TokenValidator validator = new TokenValidator(issuer(source.uri()), source, Set.of());
        TokenVerdict verdict = validator.validate(k1.sign(TestIssuer.validClaims().build()), Optional.empty(),
                Instant.now());
        assertEquals(JwtRejection.JWKS_UNAVAILABLE, ((TokenVerdict.Refused) verdict).reason());
    }

    @Test
    void anErrorStatusOrAnEmptySetIsAFailedFetchAndALaterGoodOneRecovers() throws Exception {
        server.status(503);
        UrlKeySource source = started(server.uri());
        assertFalse(source.everLoaded());
        server.status(200).serve("{\"keys\":[]}");
        source.fetch().get(20, TimeUnit.SECONDS);
        assertFalse(source.everLoaded());
        server.serve(k1.jwks());
        source.fetch().get(20, TimeUnit.SECONDS);
        assertEquals(List.of("k1"), kids(source));
    }

    @Test
    void aReloadWithTheSameUrlKeepsTheSourceAndItsKeys() throws Exception {
        UrlKeySource source = started(server.uri());
        assertSame(source, sources.forIssuers(Map.of("idp", issuer(server.uri()))).get("idp"));
        assertEquals(1, server.requests());
        sources.retain(Map.of());
        // Retired: a retired source does not fetch any more.
        source.fetch().get(20, TimeUnit.SECONDS);
        assertEquals(1, server.requests());
    }

    @Test
    void aTrickledKeySetEndsAtTheRequestTimeoutWithItsConnection() throws Exception {
        // Headers and a few bytes of a body that never ends: the JDK's request timeout stops at the headers.
        CountDownLatch hungUp = new CountDownLatch(1);
        try (ServerSocket trickling = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread serving = new Thread(() -> {
                try (Socket socket = trickling.accept()) {
                    socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 4096\r\n\r\n{\"keys\"".getBytes(
                            StandardCharsets.US_ASCII));
                    while (socket.getInputStream().read() != -1) {
                        // the request, then nothing until the gateway hangs up
                    }
                } catch (IOException closed) {
                    // hung up
                }
                hungUp.countDown();
            }, "trickling-jwks");
            serving.setDaemon(true);
            serving.start();
            UrlKeySource source = started(URI.create("http://127.0.0.1:" + trickling.getLocalPort() + "/jwks"));
            assertFalse(source.everLoaded());
            assertTrue(hungUp.await(20, TimeUnit.SECONDS), "the fetch outlived its timeout, connection open");
        }
    }

    @Test
    void aPlainHttpSourceDoesNotFollowRedirects() throws Exception {
        // The JDK's NORMAL policy follows http to http on any host: keys in cleartext off loopback.
        try (ServerSocket redirecting = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread serving = new Thread(() -> {
                try (Socket socket = redirecting.accept()) {
                    socket.getOutputStream().write(("HTTP/1.1 302 Found\r\nLocation: " + server.uri()
                            + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException closed) {
                    // the client went away
                }
            }, "redirecting-jwks");
            serving.setDaemon(true);
            serving.start();
            UrlKeySource source = started(URI.create("http://127.0.0.1:" + redirecting.getLocalPort() + "/jwks"));
            assertFalse(source.everLoaded());
            assertEquals(0, server.requests(), "the redirect was followed");
        }
    }
}
