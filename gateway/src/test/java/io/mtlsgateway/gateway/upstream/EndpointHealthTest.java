package io.mtlsgateway.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.HealthCheckConfig;
import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.config.OutlierDetectionConfig;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EndpointHealthTest {
    private static final long SECOND = 1_000_000_000L;
    private static final HostPort ENDPOINT = new HostPort("127.0.0.1", 8080);

    private static EndpointHealth ejectingAfter(int failures) {
        return new EndpointHealth(ENDPOINT,
                new OutlierDetectionConfig(failures, Duration.ofSeconds(10), Duration.ofSeconds(25)), Optional.empty());
    }

    @Test
    void ejectsAfterConsecutiveFailuresForTheBaseTime() {
        EndpointHealth health = ejectingAfter(3);
        health.requestFailed(0);
        health.requestFailed(0);
        assertTrue(health.available(0));
        health.requestFailed(0);
        assertFalse(health.available(0));
        assertFalse(health.available(10 * SECOND - 1));
        assertTrue(health.available(10 * SECOND));
    }

    @Test
    void aSuccessInBetweenResetsTheCount() {
        EndpointHealth health = ejectingAfter(2);
        health.requestFailed(0);
        health.requestSucceeded();
        health.requestFailed(0);
        assertTrue(health.available(0));
    }

    @Test
    void doublesTheEjectionWhileFailuresContinueUpToTheMaximum() {
        EndpointHealth health = ejectingAfter(1);
        health.requestFailed(0);
        assertTrue(health.available(10 * SECOND));
        health.requestFailed(10 * SECOND); // straight back out: 20s
        assertFalse(health.available(29 * SECOND));
        assertTrue(health.available(30 * SECOND));
        health.requestFailed(30 * SECOND); // 40s, capped at 25s
        assertTrue(health.available(55 * SECOND));
        health.requestSucceeded();
        health.requestFailed(60 * SECOND); // a success ended the streak: 10s again
        assertTrue(health.available(70 * SECOND));
    }

    @Test
    void zeroConsecutiveFailuresTurnsEjectionOff() {
        EndpointHealth health = ejectingAfter(0);
        for (int i = 0; i < 100; i++) {
            health.requestFailed(0);
        }
        assertTrue(health.available(0));
    }

    @Test
    void healthChecksApplyTheirThresholds() {
        EndpointHealth health = new EndpointHealth(ENDPOINT, OutlierDetectionConfig.defaults(),
                Optional.of(new HealthCheckConfig("/h", Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 2)));
        health.checkResult(false);
        assertTrue(health.available(0));
        health.checkResult(false);
        assertFalse(health.available(0));
        health.checkResult(true);
        assertFalse(health.available(0));
        health.checkResult(true);
        assertTrue(health.available(0));
    }
}
