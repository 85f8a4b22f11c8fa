package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.CapturedLogs;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.HostsPki;
import java.io.InputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Anyone who can open a TCP connection to a listener with hosts can make it fail before the
 * ClientHello, with bytes of their choosing that Netty's exception quotes as a hex dump: each such
 * failure is counted, but its warning is bounded in length (and, per kind, to one a second,
 * TerminalExceptionHandlerTest), so no one writes kilobytes of log per connection unauthenticated.
 */
class ConnectionErrorLogTest {
    private static final String API = "api.bank.test";
    private static final String METRIC = "mtls_gateway_connection_errors_total";
    private static final int CONNECTIONS = 10;

    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @BeforeAll
    static void start() throws Exception {
        EchoUpstream upstream = stack.keep(EchoUpstream.start(0));
        stack.start(new HostsPki(stack.pki()).oneHostGateway(API, upstream.port()));
    }

    @Test
    void recordsThatAreNotTlsAreCountedButTheirWarningsStayShort() throws Exception {
        // An empty alert record (not TLS to the SNI reader), then 40 KB the exception would quote.
        byte[] payload = new byte[40_000];
        Arrays.fill(payload, (byte) 'A');
        System.arraycopy(new byte[] {0x15, 0x03, 0x03, 0x00, 0x00}, 0, payload, 0, 5);
        List<LogRecord> warnings;
        try (CapturedLogs terminal = CapturedLogs.of("io.mtlsgateway.gateway.pipeline.TerminalExceptionHandler")) {
            for (int i = 0; i < CONNECTIONS; i++) {
                try (Socket socket = new Socket(stack.address().getAddress(), stack.address().getPort())) {
                    socket.getOutputStream().write(payload);
                    socket.getOutputStream().flush();
                    InputStream in = socket.getInputStream();
                    while (in.read() != -1) {
                        // whatever the gateway answers, it then closes
                    }
                } catch (java.io.IOException e) {
                    // the gateway may reset the connection with our bytes unread
                }
            }
            assertTrue(terminal.awaitWarning(10), "the first one is a warning");
            warnings = terminal.warnings();
        }
        String scrape = new AdminClient(stack.gateway().adminAddress()).scrape();
        assertEquals(CONNECTIONS, AdminClient.value(scrape, METRIC, "listener", GatewayFixture.LISTENER, "kind", "tls"),
                AdminClient.describe(METRIC, "kind", "tls") + " in\n" + scrape);
        for (LogRecord warning : warnings) {
            String line = new SimpleFormatter().formatMessage(warning);
            assertTrue(line.length() < 600, line.length() + " characters: " + line.substring(0, 200));
            assertFalse(line.contains("41".repeat(200)), "no long dump of the peer's bytes");
        }
    }
}
