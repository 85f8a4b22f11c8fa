package io.mtlsgateway.gateway.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RefreshPolicyTest {
    @Test
    void lifetimeFollowsMaxAgeWithinBounds() {
        assertEquals(Duration.ofMinutes(5), RefreshPolicy.lifetime(Optional.of("public, max-age=300")));
        assertEquals(Duration.ofMinutes(1), RefreshPolicy.lifetime(Optional.of("max-age=5")));
        assertEquals(Duration.ofHours(24), RefreshPolicy.lifetime(Optional.of("max-age=9999999")));
        assertEquals(Duration.ofMinutes(1), RefreshPolicy.lifetime(Optional.of("no-store")));
        assertEquals(RefreshPolicy.DEFAULT_LIFETIME, RefreshPolicy.lifetime(Optional.empty()));
        assertEquals(RefreshPolicy.DEFAULT_LIFETIME, RefreshPolicy.lifetime(Optional.of("public")));
    }

    @Test
    void refreshesAheadOfExpiry() {
        assertEquals(Duration.ofMinutes(8), RefreshPolicy.refreshAfter(Duration.ofMinutes(10)));
    }

    @Test
    void retriesBackOffExponentiallyUpToFiveMinutes() {
        assertEquals(Duration.ofSeconds(1), RefreshPolicy.retryAfter(1));
        assertEquals(Duration.ofSeconds(2), RefreshPolicy.retryAfter(2));
        assertEquals(Duration.ofSeconds(64), RefreshPolicy.retryAfter(7));
        assertEquals(Duration.ofSeconds(256), RefreshPolicy.retryAfter(9));
        assertEquals(Duration.ofMinutes(5), RefreshPolicy.retryAfter(10));
        assertEquals(Duration.ofMinutes(5), RefreshPolicy.retryAfter(1000));
    }
}
