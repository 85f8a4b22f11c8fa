package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.CapturedLogs;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.HostsPki;
import java.io.InputStream;
import java.net.Socket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A connection to a listener with hosts that breaks while its ClientHello is being read (before
 * any TLS handler exists) ends at the terminal handler like any other: one WARN line, a count
 * in {@code mtls_gateway_connection_errors_total}, closed.
 */
class HostSelectionErrorsTest {
    private static final String API = "api.bank.test";
    private static final String METRIC = "mtls_gateway_connection_errors_total";

    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @BeforeAll
    static void start() throws Exception {
        EchoUpstream upstream = stack.keep(EchoUpstream.start(0));
        stack.start(new HostsPki(stack.pki()).oneHostGateway(API, upstream.port()));
    }

    @Test
    void aRecordThatIsNotTlsBeforeTheClientHelloIsCountedByTheTerminalHandler() throws Exception {
        try (CapturedLogs terminal = CapturedLogs.of("io.mtlsgateway.gateway.pipeline.TerminalExceptionHandler");
                Socket socket = new Socket(stack.address().getAddress(), stack.address().getPort())) {
            // An alert record with no content: the SNI reader cannot take it as TLS and fails.
            socket.getOutputStream().write(new byte[] {0x15, 0x03, 0x03, 0x00, 0x00});
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            while (in.read() != -1) {
                // whatever the gateway answers, it then closes
            }
            assertTrue(terminal.awaitWarning(10), "the terminal handler logged the error");
        }
        String scrape = new AdminClient(stack.gateway().adminAddress()).scrape();
        assertEquals(1.0, AdminClient.value(scrape, METRIC, "listener", GatewayFixture.LISTENER, "kind", "tls"),
                AdminClient.describe(METRIC, "kind", "tls") + " in\n" + scrape);
    }
}
