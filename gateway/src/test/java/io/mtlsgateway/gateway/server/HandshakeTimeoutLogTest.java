package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.gateway.pipeline.HandshakeFailureLog;
import io.mtlsgateway.gateway.testing.CapturedLogs;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A handshake that runs out of time says which side was late: the time counts the gateway's own
 * verification too, so the log blames the client only when nothing of the gateway's was pending.
 */
class HandshakeTimeoutLogTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @BeforeAll
    static void start() throws Exception {
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("all", "/", "app")),
                List.of(GatewayFixture.upstream("app", Duration.ofSeconds(5), 9))));
    }

    @Test
    void aClientThatSendsNothingIsLoggedAsTheOneThatStalledWhenTheHandshakeTimesOut() throws Exception {
        try (CapturedLogs logs = CapturedLogs.of(HandshakeFailureLog.class); Socket silent = new Socket()) {
            silent.connect(stack.address());
            // The gateway's 10 s handshake timeout: the only way this connection ends.
            assertTrue(logs.awaitWarning(60), "the timeout was logged");
            List<String> warnings = logs.warnings().stream().map(LogRecord::getMessage).toList();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("reason=timeout: handshake timed out after 10000ms; the gateway was"
                    + " waiting for the client, which had not sent a certificate chain"), warnings.get(0));
            assertEquals(-1, silent.getInputStream().read(), "closed by the gateway");
        }
    }
}
