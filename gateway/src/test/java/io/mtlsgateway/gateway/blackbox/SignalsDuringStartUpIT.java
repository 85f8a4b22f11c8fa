package io.mtlsgateway.gateway.blackbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SIGHUP or SIGTERM while {@code run} is still starting does not end the process: the handlers
 * are in place before the route file is read (the "starting" line), a SIGHUP is queued and
 * applied once the server runs, a SIGTERM stops it cleanly with exit 0.
 */
class SignalsDuringStartUpIT {
    @TempDir
    Path dir;

    Path routeFile;

    @BeforeEach
    void setUp() throws Exception {
        routeFile = RouteFile.writeMinimal(new TestPki(dir), dir);
    }

    @Test
    void aSighupDuringStartUpIsAppliedOnceTheServerRuns() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start("run", "--config", routeFile.toString())) {
            gateway.awaitStderr("starting (pid");
            // Sent while the TLS contexts are being built and the sockets bound.
            gateway.signal("HUP");
            gateway.awaitStderr("listening on");
            gateway.awaitStderr("reload (SIGHUP): applied");
            assertTrue(gateway.alive());
            gateway.signal("TERM");
            gateway.awaitStderr("drained");
            assertEquals(0, gateway.awaitExit());
        }
    }

    @Test
    void aSigtermDuringStartUpStopsWithExitZero() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start("run", "--config", routeFile.toString())) {
            gateway.awaitStderr("starting (pid");
            gateway.signal("TERM");
            assertEquals(0, gateway.awaitExit(), gateway.stderrLines().toString());
        }
    }

    @Test
    void signalsRightAfterStartUpAreHandledToo() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start("run", "--config", routeFile.toString())) {
            // The moment /readyz would first answer 200: "listening on" is logged as ready turns true.
            gateway.awaitStderr("listening on");
            gateway.signal("HUP");
            gateway.awaitStderr("reload (SIGHUP): applied");
            gateway.signal("TERM");
            assertEquals(0, gateway.awaitExit(), gateway.stderrLines().toString());
        }
    }
}
