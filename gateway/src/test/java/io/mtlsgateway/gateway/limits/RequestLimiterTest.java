package io.mtlsgateway.gateway.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.LimitsConfig;
import io.mtlsgateway.config.RequestLimits;
import io.mtlsgateway.gateway.identity.PeerIdentity;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestLimiterTest {
    private static final long SECOND = 1_000_000_000L;
    private static final IssuedCertificate CA = new CertificateBuilder().subject("CN=Limits CA").ca(0).selfSigned();
    private final List<LimitReason> refused = new ArrayList<>();

    private static PeerIdentity identity(String name) {
        return PeerIdentity.of(List.of(new CertificateBuilder().subject("CN=" + name).forClient().signedBy(CA)
                .certificate()));
    }

    private static LimitsConfig limits(RequestLimits perIdentity, RequestLimits anonymous) {
        return new LimitsConfig(Optional.empty(), Optional.ofNullable(perIdentity), Optional.ofNullable(anonymous),
                1000);
    }

    private RequestLimiter limiter(LimitsConfig listener, Map<String, LimitsConfig> routes) {
        return new RequestLimiter(listener, routes, new RequestLimiter.State(), refused::add);
    }

    @Test
    void aTokenBucketAllowsTheBurstThenOneRequestPerInterval() {
        IdentityLimiter.Entry entry = new IdentityLimiter().entry("a", 10, 0);
        RequestLimits limits = new RequestLimits(2, 3, 0, 0);
        long t = 5 * SECOND;
        assertEquals(0, entry.tryRequest(limits, t));
        assertEquals(0, entry.tryRequest(limits, t));
        assertEquals(0, entry.tryRequest(limits, t));
        assertEquals(1, entry.tryRequest(limits, t), "burst spent: retry after (rounded up) half a second");
        assertEquals(0, entry.tryRequest(limits, t + SECOND / 2), "one token per 1/2 s");
        assertTrue(entry.tryRequest(limits, t + SECOND / 2) > 0);
    }

    @Test
    void capsRequestsInFlightAndConnectionsPerIdentity() {
        RequestLimiter limiter = limiter(limits(new RequestLimits(0, 0, 1, 1), null), Map.of());
        PeerIdentity alice = identity("alice");
        PeerIdentity bob = identity("bob");
        RequestLimiter.Connection first = limiter.open(alice);
        assertTrue(first.admitted());
        assertFalse(limiter.open(alice).admitted(), "a second connection of alice");
        assertTrue(limiter.open(bob).admitted(), "bob has his own count");
        first.close();
        assertTrue(limiter.open(alice).admitted());

        RequestLimiter.Admission one = limiter.admit(alice, null);
        assertTrue(one.admitted());
        RequestLimiter.Admission two = limiter.admit(alice, null);
        assertEquals(LimitReason.IN_FLIGHT, two.refused());
        assertEquals(1, two.retryAfterSeconds());
        one.done();
        one.done(); // idempotent
        assertTrue(limiter.admit(alice, null).admitted());
        assertEquals(List.of(LimitReason.CONNECTIONS, LimitReason.IN_FLIGHT), refused);
    }

    @Test
    void requestsWithoutACertificateShareOneBucketNeverAnExemption() {
        RequestLimiter limiter = limiter(limits(new RequestLimits(0, 0, 0, 5), null), Map.of());
        // No explicit anonymous bucket: the per-identity numbers, for all of them together.
        for (int i = 0; i < 5; i++) {
            assertTrue(limiter.admit(null, null).admitted());
        }
        assertEquals(LimitReason.IN_FLIGHT, limiter.admit(null, null).refused());
        assertTrue(limiter.admit(identity("carol"), null).admitted());

        RequestLimiter explicit = limiter(limits(null, new RequestLimits(0, 0, 0, 1)), Map.of());
        assertTrue(explicit.admit(null, null).admitted());
        assertFalse(explicit.admit(null, null).admitted());
        assertTrue(explicit.admit(identity("dave"), null).admitted(), "identities unlimited here");
    }

    @Test
    void aRouteLimitAppliesOnTopOfTheListenersAndReleasesBothWhenRefused() {
        RequestLimiter limiter = limiter(limits(new RequestLimits(0, 0, 0, 2), null),
                Map.of("reports", limits(new RequestLimits(0, 0, 0, 1), null)));
        PeerIdentity erin = identity("erin");
        RequestLimiter.Admission report = limiter.admit(erin, "reports");
        assertTrue(report.admitted());
        assertEquals(LimitReason.IN_FLIGHT, limiter.admit(erin, "reports").refused());
        // The refused one gave its listener slot back: one slot is left for another route.
        assertTrue(limiter.admit(erin, "other").admitted());
        assertFalse(limiter.admit(erin, "other").admitted());
        report.done();
        assertTrue(limiter.admit(erin, "reports").admitted());
    }

    @Test
    void forgetsOnlyEntriesThatAreIndistinguishableFromFreshOnes() {
        IdentityLimiter table = new IdentityLimiter();
        RequestLimits limits = new RequestLimits(0, 0, 1, 0);
        IdentityLimiter.Entry busy = table.entry("busy", 1, 0);
        assertTrue(busy.tryConnect(limits));
        for (int i = 0; i < 10; i++) {
            table.entry("idle-" + i, 1, SECOND * (i + 1));
        }
        assertTrue(table.size() < 11, "idle entries were swept");
        assertFalse(table.entry("busy", 1, 20 * SECOND).tryConnect(limits), "the busy entry kept its count");
    }
}
