package io.mtlsgateway.gateway.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.OcspMode;
import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.config.RouteMatch;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.config.TlsProtocol;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.server.GatewayServer;
import io.mtlsgateway.gateway.testing.ClientChains;
import io.mtlsgateway.gateway.testing.ClientChains.Case;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.OcspResponder;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rejection over a real mutual-TLS handshake through the running gateway: the JDK client
 * receives the alert of DESIGN.md, the upstream sees nothing, and the log names the reason and
 * the client without printing its certificate.
 */
class ClientVerificationEndToEndTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static TestPki pki;
    static ClientChains chains;
    static OcspResponder responder;
    static EchoUpstream upstream;
    static GatewayServer gateway;
    static InetSocketAddress address;
    /** Held strongly: a logger nobody references can be collected, taking the handler with it. */
    static final Logger FAILURE_LOGGER = Logger.getLogger("io.mtlsgateway.gateway.pipeline.HandshakeFailureLog");
    static final BlockingQueue<String> failureLog = new LinkedBlockingQueue<>();
    static final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            // Failures after the first of a reason within a second are logged at FINE only.
            String message = new java.util.logging.SimpleFormatter().formatMessage(record);
            if (message.contains("TLS handshake with")) {
                failureLog.add(message);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeAll
    static void start() throws Exception {
        pki = stack.pki();
        chains = new ClientChains(stack.dir());
        responder = stack.keep(OcspResponder.start(chains.intermediate));
        upstream = stack.keep(EchoUpstream.start(0));
        FAILURE_LOGGER.addHandler(capture);
        FAILURE_LOGGER.setLevel(java.util.logging.Level.FINE);
        TlsConfig tls = new TlsConfig(pki.serverCertificate, pki.serverKey, ClientAuthMode.REQUIRE,
                chains.clientCaFile, chains.crlFiles(), OcspMode.HARD_FAIL, TlsConfig.DEFAULT_VERIFY_DEPTH,
                List.of(TlsProtocol.TLS_1_3, TlsProtocol.TLS_1_2), true);
        gateway = stack.start(GatewayFixture.config(pki, tls, List.of(new RouteConfig("all",
                new RouteMatch(Optional.empty(), Optional.of("/"), Map.of()), "echo", List.of(), Optional.empty())),
                List.of(GatewayFixture.upstream("echo", Duration.ofSeconds(5), upstream.port()))));
        address = gateway.address(GatewayFixture.LISTENER);
    }

    @AfterAll
    static void stop() throws IOException {
        FAILURE_LOGGER.removeHandler(capture);
        FAILURE_LOGGER.setLevel(null);
    }

    @BeforeEach
    void clearLog() {
        failureLog.clear();
    }

    /** Cases our verifier decides over TLS; BoringSSL refuses a leaf without digitalSignature itself (below). */
    static List<Case> rejections() {
        return chains.rejections().stream().filter(c -> !c.name().contains("digitalSignature")).toList();
    }

    @Test
    void keyUsageWithoutDigitalSignatureIsRefusedByBoringSslBeforeOurVerifier() throws Exception {
        Case noSignature = chains.rejections().stream().filter(c -> c.name().contains("digitalSignature"))
                .findFirst().orElseThrow();
        int before = upstream.requestCount();
        // BoringSSL checks the leaf's key usage against the CertificateVerify it must sign and
        // usually sends illegal_parameter; it may close before the JDK client reads the alert
        // (connection reset), so only the refusal itself is asserted.
        String failure = alertReceivedBy(noSignature.client());
        assertTrue(!failure.contains("Received fatal alert") || failure.contains("illegal_parameter"), failure);
        assertEquals(before, upstream.requestCount());
        String logged = failureLog.poll(10, TimeUnit.SECONDS);
        assertTrue(logged != null && logged.contains("reason=bad_usage"), logged);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void refusesTheHandshakeWithTheMatchingAlertAndLogsTheReason(Case rejection) throws Exception {
        int before = upstream.requestCount();
        String alert = alertReceivedBy(rejection.client());
        assertTrue(alert.contains("Received fatal alert: " + rejection.expected().alert()),
                rejection.name() + ": " + alert);
        assertEquals(before, upstream.requestCount(), "the upstream must see nothing");
        String logged = failureLog.poll(10, TimeUnit.SECONDS);
        assertTrue(logged != null && logged.contains("reason=" + rejection.expected().label()), logged);
        assertTrue(logged.contains("serial=" + rejection.client().certificate().getSerialNumber().toString(16)),
                logged);
        assertFalse(logged.contains("BEGIN CERTIFICATE"), logged);
    }

    @Test
    void forwardsAClientThatSendsItsIntermediate() throws Exception {
        try (TlsTestClient connection = TlsTestClient.connect(address, pki.server.root(), chains.good)) {
            TlsTestClient.Response response = connection
                    .send("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse();
            assertEquals(200, response.status());
            assertTrue(response.body().contains("spiffe://test.example/ns/prod/sa/good"), response.body());
        }
    }

    @Test
    void refusesAClientWithoutCertificateWithCertificateRequired() throws Exception {
        String alert = alertReceivedBy(null);
        assertTrue(alert.contains("certificate_required"), alert);
        String logged = failureLog.poll(10, TimeUnit.SECONDS);
        assertTrue(logged != null && logged.contains("reason=no_certificate"), logged);
    }

    @Test
    void refusesAClientTheOcspResponderCallsRevoked() throws Exception {
        IssuedCertificate client = ClientChains.leaf("ocsp-revoked").ocspResponder(responder.uri())
                .signedBy(chains.intermediate);
        responder.answer(client.certificate().getSerialNumber(), OcspResponder.Answer.REVOKED);
        assertTrue(alertReceivedBy(client).contains("certificate_revoked"));
    }

    @Test
    void refusesUnderHardFailWhenTheResponderIsUnreachable() throws Exception {
        URI closed;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = URI.create("http://127.0.0.1:" + probe.getLocalPort() + "/");
        }
        IssuedCertificate client = ClientChains.leaf("ocsp-unreachable").ocspResponder(closed)
                .signedBy(chains.intermediate);
        assertTrue(alertReceivedBy(client).contains("bad_certificate"));
        String logged = failureLog.poll(10, TimeUnit.SECONDS);
        assertTrue(logged != null && logged.contains("reason=revocation_unknown"), logged);
    }

    @Test
    void admitsAClientTheOcspResponderCallsGood() throws Exception {
        IssuedCertificate client = ClientChains.leaf("ocsp-good").ocspResponder(responder.uri())
                .signedBy(chains.intermediate);
        responder.answer(client.certificate().getSerialNumber(), OcspResponder.Answer.GOOD);
        try (TlsTestClient connection = TlsTestClient.connect(address, pki.server.root(), client)) {
            assertEquals(200, connection.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
        }
    }

    @Test
    void aNonCaCertificateInClientCaIsAStartupError() throws Exception {
        TlsConfig tls = new TlsConfig(pki.serverCertificate, pki.serverKey, ClientAuthMode.REQUIRE,
                pki.serverCertificate, List.of(), OcspMode.OFF, 4, List.of(TlsProtocol.TLS_1_3), true);
        IOException e = assertThrows(IOException.class, () -> stack.start(GatewayFixture.config(pki, tls,
                List.of(), List.of())));
        assertTrue(e.getMessage().contains("not a CA certificate"), e.getMessage());
        assertTrue(e.getMessage().contains(pki.serverCertificate.toString()), e.getMessage());
    }

    @Test
    void aCrlThatCannotBeLoadedIsAStartupErrorNamingTheFile() throws Exception {
        Path broken = java.nio.file.Files.writeString(stack.dir().resolve("broken.crl"), "-----BEGIN X509 CRL-----\nAAAA\n");
        TlsConfig tls = new TlsConfig(pki.serverCertificate, pki.serverKey, ClientAuthMode.REQUIRE,
                chains.clientCaFile, List.of(broken), OcspMode.OFF, 4, List.of(TlsProtocol.TLS_1_3), true);
        IOException e = assertThrows(IOException.class, () -> stack.start(GatewayFixture.config(pki, tls,
                List.of(), List.of())));
        assertTrue(e.getMessage().contains(broken.toString()), e.getMessage());
    }

    /**
     * The alert as the JDK client reports it. In TLS 1.3 the client's handshake completes before
     * the server has verified it, so the alert arrives on the first read.
     */
    @Test
    void aClientFromItsOwnCaWithLineBreaksInItsNamesCannotForgeLogRecords() throws Exception {
        X500Principal caName = name("Evil CA\r\n2026-12-01T00:00:00.000Z SEVERE forged: CA");
        IssuedCertificate ownCa = new CertificateBuilder().subject(caName).ca(-1).selfSigned();
        IssuedCertificate client = new CertificateBuilder()
                .subject(name("mallory\r\n2026-12-01T00:00:00.000Z WARNING forged: reason=none\u2028"))
                .forClient().signedBy(ownCa);
        assertTrue(alertReceivedBy(client).contains("unknown_ca"));
        String serial = client.certificate().getSerialNumber().toString(16);
        String logged;
        do {
            logged = failureLog.poll(10, TimeUnit.SECONDS);
        } while (logged != null && !logged.contains(serial));
        assertTrue(logged != null && logged.contains("reason=untrusted"), logged);
        assertFalse(logged.contains("\r") || logged.contains("\n") || logged.contains("\u2028"), logged);
        // Names as OpenSSL prints them: the line breaks are \0D\0A, the separator its UTF-8 bytes.
        assertTrue(logged.contains("subject=\"CN=mallory\\0D\\0A2026-12-01T00:00:00.000Z WARNING forged:"
                + " reason=none\\E2\\80\\A8\""), logged);
        assertTrue(logged.contains("issuer=\"CN=Evil CA\\0D\\0A2026"), logged);
    }

    private static X500Principal name(String commonName) throws IOException {
        return new X500Principal(new X500Name(new RDN[] {new RDN(BCStyle.CN, new DERUTF8String(commonName))})
                .getEncoded());
    }

    private static String alertReceivedBy(IssuedCertificate client) {
        IOException failure = assertThrows(IOException.class, () -> {
            try (TlsTestClient connection = TlsTestClient.connect(address, pki.server.root(), client)) {
                // Read without writing: a write could race the server's close and hide the alert.
                connection.input().read();
            }
        });
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append(" | ");
        }
        return messages.toString();
    }
}
