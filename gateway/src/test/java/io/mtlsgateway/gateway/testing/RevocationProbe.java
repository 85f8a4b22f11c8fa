package io.mtlsgateway.gateway.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.mtlsgateway.gateway.server.GatewayServer;

/**
 * Asserts that the gateway refuses a client as revoked at its next handshake, from what the client
 * sees: the {@code certificate_revoked} alert.
 *
 * <p>In TLS 1.3 the client's handshake ends before the server has verified it, so the alert comes on
 * the first read. Nothing is written first: a request written while the server sends the alert and
 * closes draws a reset, and the client then reports a broken pipe instead of the alert.
 *
 * <p>On a machine starved of CPU, verifying the chain can outlast the gateway's 10 s handshake
 * timeout (seen in a cold JVM, whose first verification loads, and BlockHound instruments, the
 * verifier's classes): the gateway then closes without a verdict and counts reason "timeout", and
 * the client, its side of the handshake done, reads an end of stream. Such an attempt says nothing
 * about revocation, so it is made again (the timeout is counted before the connection closes, so
 * the count has risen by the time the client reads the end of stream); any other outcome is judged.
 */
public final class RevocationProbe {
    private static final int ATTEMPTS = 3;

    private RevocationProbe() {}

    /** Connects and completes the client's side of the handshake. */
    public interface Connect {
        TlsTestClient connect() throws Exception;
    }

    public static void assertRevoked(GatewayServer gateway, Connect connect) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            double timeouts = handshakes(gateway, "timeout");
            String outcome = probe(connect);
            if (outcome.equals("end of stream") && handshakes(gateway, "timeout") > timeouts) {
                continue;
            }
            assertTrue(outcome.contains("certificate_revoked"), outcome);
            return;
        }
        throw new AssertionError("the gateway timed out " + ATTEMPTS + " handshakes in a row; no verdict to judge");
    }

    /** How a connection that sends nothing ends: the exception it ends with, or "end of stream". */
    private static String probe(Connect connect) {
        try (TlsTestClient connection = connect.connect()) {
            int read = connection.input().read();
            return read < 0 ? "end of stream" : "read a byte of data: " + read;
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static double handshakes(GatewayServer gateway, String reason) {
        return gateway.metrics().registry().get("mtls.gateway.handshakes").tag("reason", reason).counters().stream()
                .mapToDouble(Counter::count).sum();
    }
}
