package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.config.HealthCheckConfig;
import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.config.OutlierDetectionConfig;
import java.util.Optional;

/**
 * Whether one endpoint of an upstream should get traffic, shared by every event loop's pool for it:
 * passive ejection after consecutive failures of real requests (with doubling back-off), and the
 * verdict of active health checks. Plain Java with the clock passed in, so it is testable without
 * a network; methods are synchronized because every loop reports here (the calls are rare and short).
 */
final class EndpointHealth {
    private final HostPort endpoint;
    private final OutlierDetectionConfig ejection;
    private final Optional<HealthCheckConfig> checks;

    private int consecutiveFailures;
    /** Ejections in a row without a success in between: the back-off exponent. */
    private int ejectionStreak;
    private long ejectedUntilNanos;
    private boolean ejected;
    private int checksFailedInRow;
    private int checksPassedInRow;
    private volatile boolean checkedHealthy = true;

    EndpointHealth(HostPort endpoint, OutlierDetectionConfig ejection, Optional<HealthCheckConfig> checks) {
        this.endpoint = endpoint;
        this.ejection = ejection;
        this.checks = checks;
    }

    HostPort endpoint() {
        return endpoint;
    }

    /** Whether the endpoint may get new requests now. */
    synchronized boolean available(long nowNanos) {
        if (!checkedHealthy) {
            return false;
        }
        if (ejected && nowNanos - ejectedUntilNanos >= 0) {
            ejected = false; // back in rotation; one more failure streak ejects it for longer
        }
        return !ejected;
    }

    /** A request got a response head from this endpoint (whatever its status). */
    synchronized void requestSucceeded() {
        consecutiveFailures = 0;
        if (!ejected) {
            ejectionStreak = 0;
        }
    }

    /** A request failed at the transport level: refused, reset, timed out or malformed. */
    synchronized void requestFailed(long nowNanos) {
        if (!ejection.enabled() || ejected) {
            return;
        }
        if (++consecutiveFailures >= ejection.consecutiveFailures()) {
            long base = ejection.baseEjection().toNanos();
            long max = ejection.maxEjection().toNanos();
            int shift = Math.min(ejectionStreak, 30);
            long duration = base > (max >> shift) ? max : Math.min(max, base << shift);
            ejected = true;
            ejectedUntilNanos = nowNanos + duration;
            ejectionStreak++;
            consecutiveFailures = 0;
        }
    }

    /** The result of one active health check. */
    synchronized void checkResult(boolean passed) {
        HealthCheckConfig config = checks.orElseThrow();
        if (passed) {
            checksFailedInRow = 0;
            if (!checkedHealthy && ++checksPassedInRow >= config.healthyThreshold()) {
                checkedHealthy = true;
                checksPassedInRow = 0;
            }
        } else {
            checksPassedInRow = 0;
            if (checkedHealthy && ++checksFailedInRow >= config.unhealthyThreshold()) {
                checkedHealthy = false;
                checksFailedInRow = 0;
            }
        }
    }

    /** The active checks' verdict (true when there are no checks). */
    boolean checkedHealthy() {
        return checkedHealthy;
    }
}
