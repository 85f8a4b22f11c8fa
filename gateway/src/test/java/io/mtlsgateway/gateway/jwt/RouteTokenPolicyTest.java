package io.mtlsgateway.gateway.jwt;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.mtlsgateway.config.CertificateBinding;
import io.mtlsgateway.config.JwksSource;
import io.mtlsgateway.config.JwtIssuerConfig;
import io.mtlsgateway.config.RouteJwt;
import io.mtlsgateway.gateway.testing.TestIssuer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** How a route judges a token whose key id the issuer's current keys lack. */
class RouteTokenPolicyTest {
    private final TestIssuer k1 = TestIssuer.create("ES256", "k1");
    private final TestIssuer k2 = TestIssuer.create("ES256", "k2");

    /**
     * A source whose refetch has already ended when it returns, having brought the rotated key: what a
     * real URL source does when its fetch completes before the event loop looks at the future again.
     */
    private static final class FetchEndsAtOnce implements KeySource {
        private volatile KeySet keys;
        private final KeySet next;

        FetchEndsAtOnce(KeySet keys, KeySet next) {
            this.keys = keys;
            this.next = next;
        }

        @Override
        public Optional<KeySet> keys() {
            return Optional.of(keys);
        }

        @Override
        public CompletableFuture<Void> refreshForUnknownKey() {
            keys = next;
            return CompletableFuture.completedFuture(null);
        }
    }

    private static RouteTokenPolicy policy(KeySource keys) {
        JwtIssuerConfig issuer = new JwtIssuerConfig("idp", TestIssuer.ISSUER, List.of(TestIssuer.AUDIENCE),
                new JwksSource.Url(URI.create("http://127.0.0.1:1/jwks.json"), Duration.ofHours(1)),
                JwtIssuerConfig.DEFAULT_ALGORITHMS, Duration.ofSeconds(60), CertificateBinding.OFF, Map.of(),
                Optional.empty(), JwtIssuerConfig.DEFAULT_MAX_TOKEN_SIZE, true);
        return new RouteTokenPolicy(new TokenValidator(issuer, keys, Set.of()), new RouteJwt("idp", true),
                new ClaimPolicy(List.of()), Clock.systemUTC());
    }

    @Test
    void aRotatedKeyFetchedBeforeTheJudgeLooksIsUsedNotRefused() throws Exception {
        KeySource source = new FetchEndsAtOnce(KeySet.parse(k1.jwks()), KeySet.parse(k1.jwks(k2)));
        String token = k2.sign(TestIssuer.validClaims().build());
        RouteTokenPolicy.Judgement judgement = policy(source).judge(List.of("Bearer " + token), "/", null);
        assertInstanceOf(RouteTokenPolicy.Allowed.class, judgement, judgement::toString);
    }

    @Test
    void aKidStillUnknownAfterTheFetchIsRefused() throws Exception {
        KeySource source = new FetchEndsAtOnce(KeySet.parse(k1.jwks()), KeySet.parse(k1.jwks()));
        String token = k2.sign(TestIssuer.validClaims().build());
        RouteTokenPolicy.Judgement judgement = policy(source).judge(List.of("Bearer " + token), "/", null);
        assertInstanceOf(RouteTokenPolicy.Denied.class, judgement, judgement::toString);
    }
}
