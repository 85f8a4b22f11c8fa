package io.mtlsgateway.gateway.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.PenaltyConfig;
import io.mtlsgateway.config.SourceLimits;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SourceLimiterTest {
    private static final long SECOND = 1_000_000_000L;
    private static final SourceKey A = key("192.0.2.1");
    private static final SourceKey B = key("192.0.2.2");

    private static SourceKey key(String address) {
        try {
            return SourceKey.of(InetAddress.getByName(address), 32, 64);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static SourceLimits limits(int rate, int concurrent, PenaltyConfig penalty) {
        return new SourceLimits(rate, concurrent, Optional.ofNullable(penalty), 32, 64);
    }

    @Test
    void spendsTheHandshakeBudgetPerSourceAndRefillsItOverTime() {
        SourceLimiter limiter = new SourceLimiter();
        SourceLimits limits = limits(2, 0, null);
        long t = 42 * SECOND;
        assertTrue(limiter.admit(A, limits, 100, t).admitted());
        assertTrue(limiter.admit(A, limits, 100, t).admitted());
        assertEquals(LimitReason.HANDSHAKE_RATE, limiter.admit(A, limits, 100, t).refused());
        assertTrue(limiter.admit(B, limits, 100, t).admitted(), "another source has its own budget");
        assertTrue(limiter.admit(A, limits, 100, t + SECOND / 2).admitted(), "half a second refills one of two");
        assertFalse(limiter.admit(A, limits, 100, t + SECOND / 2).admitted());
    }

    @Test
    void capsHandshakesInProgressAndFreesASlotWhenOneEnds() {
        SourceLimiter limiter = new SourceLimiter();
        SourceLimits limits = limits(0, 2, null);
        SourceLimiter.Handshake first = limiter.admit(A, limits, 100, 0).handshake();
        limiter.admit(A, limits, 100, 0);
        assertEquals(LimitReason.CONCURRENT_HANDSHAKES, limiter.admit(A, limits, 100, 0).refused());
        first.ended(true, true, 0);
        first.ended(true, true, 0); // ending twice frees one slot, not two
        assertTrue(limiter.admit(A, limits, 100, 0).admitted());
        assertFalse(limiter.admit(A, limits, 100, 0).admitted());
    }

    @Test
    void boxesASourceThatKeepsFailingForLongerEachTimeUpToTheMaximum() {
        SourceLimiter limiter = new SourceLimiter();
        SourceLimits limits = limits(0, 0, new PenaltyConfig(2, Duration.ofSeconds(1), Duration.ofSeconds(3)));
        long t = 0;
        long[] expectedBoxes = {1, 2, 3, 3};
        for (long box : expectedBoxes) {
            assertFalse(limiter.admit(A, limits, 100, t).handshake().ended(false, true, t));
            assertTrue(limiter.admit(A, limits, 100, t).handshake().ended(false, true, t), "second failure boxes");
            assertEquals(LimitReason.PENALTY_BOX, limiter.admit(A, limits, 100, t + box * SECOND - 1).refused());
            assertTrue(limiter.admit(B, limits, 100, t).admitted(), "only the failing source is boxed");
            t += box * SECOND;
        }
        // A success ends the streak: the next boxing starts from the base again.
        limiter.admit(A, limits, 100, t).handshake().ended(true, true, t);
        limiter.admit(A, limits, 100, t).handshake().ended(false, true, t);
        limiter.admit(A, limits, 100, t).handshake().ended(false, true, t);
        assertEquals(LimitReason.PENALTY_BOX, limiter.admit(A, limits, 100, t + SECOND - 1).refused());
        assertTrue(limiter.admit(A, limits, 100, t + SECOND).admitted());
    }

    @Test
    void doesNotCountAPeerThatClosedBeforeSpeakingTls() {
        SourceLimiter limiter = new SourceLimiter();
        SourceLimits limits = limits(0, 0, new PenaltyConfig(1, Duration.ofHours(1), Duration.ofHours(1)));
        for (int i = 0; i < 5; i++) {
            assertFalse(limiter.admit(A, limits, 100, 0).handshake().ended(false, false, 0));
        }
        assertTrue(limiter.admit(A, limits, 100, 0).admitted(), "TCP health checks are not an attack");
    }

    @Test
    void remembersAtMostMaxTrackedSourcesForgettingTheLeastRecentlySeen() {
        SourceLimiter limiter = new SourceLimiter();
        SourceLimits limits = limits(1, 0, null);
        for (int i = 0; i < 10; i++) {
            limiter.admit(key("198.51.100." + i), limits, 4, 0);
        }
        assertEquals(4, limiter.size());
        assertTrue(limiter.admit(key("198.51.100.0"), limits, 4, 0).admitted(), "forgotten: a fresh budget");
        assertFalse(limiter.admit(key("198.51.100.9"), limits, 4, 0).admitted(), "remembered: budget spent");
    }

    @Test
    void groupsAddressesByPrefix() {
        assertEquals(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"), "one /64");
        assertNotEquals(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assertNotEquals(key("192.0.2.1"), key("192.0.2.2"), "IPv4 /32 by default");
        try {
            assertEquals(SourceKey.of(InetAddress.getByName("192.0.2.1"), 24, 64),
                    SourceKey.of(InetAddress.getByName("192.0.2.200"), 24, 64));
            assertEquals(SourceKey.of(InetAddress.getByName("2001:db8::1"), 32, 128),
                    SourceKey.of(InetAddress.getByName("2001:db8:0:0:0:0:0:1"), 32, 128));
            assertNotEquals(SourceKey.of(InetAddress.getByName("2001:db8::1"), 32, 128),
                    SourceKey.of(InetAddress.getByName("2001:db8::2"), 32, 128));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
