package io.mtlsgateway.gateway.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.OcspMode;
import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.config.RouteMatch;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.config.TlsProtocol;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.ClientChains;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.OcspResponder;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Proves that OCSP, the slow part of verification, never runs on an event loop, through the real
 * gateway: the production initializer, context and verifier, with an OCSP responder the handshakes
 * really ask. {@link GatewayStack} runs BlockHound, which fails the test on any blocking call an
 * event loop makes (the responder's socket I/O would be one).
 */
class OcspOffTheEventLoopTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static ClientChains chains;
    static OcspResponder responder;

    @BeforeAll
    static void start() throws Exception {
        TestPki pki = stack.pki();
        chains = new ClientChains(stack.dir());
        responder = stack.keep(OcspResponder.start(chains.intermediate));
        EchoUpstream upstream = stack.keep(EchoUpstream.start(0));
        TlsConfig tls = new TlsConfig(pki.serverCertificate, pki.serverKey, ClientAuthMode.REQUIRE,
                chains.clientCaFile, List.of(), OcspMode.HARD_FAIL, TlsConfig.DEFAULT_VERIFY_DEPTH,
                List.of(TlsProtocol.TLS_1_3, TlsProtocol.TLS_1_2), true);
        stack.start(GatewayFixture.config(pki, tls, List.of(new RouteConfig("all",
                new RouteMatch(Optional.empty(), Optional.of("/"), Map.of()), "echo", List.of(), Optional.empty())),
                List.of(GatewayFixture.upstream("echo", Duration.ofSeconds(5), upstream.port()))));
    }

    @Test
    void fetchesOcspOffTheEventLoopForEveryFullHandshake() throws Exception {
        IssuedCertificate good = ClientChains.leaf("threads-good").ocspResponder(responder.uri())
                .signedBy(chains.intermediate);
        IssuedCertificate revoked = ClientChains.leaf("threads-revoked").ocspResponder(responder.uri())
                .signedBy(chains.intermediate);
        responder.answer(good.certificate().getSerialNumber(), OcspResponder.Answer.GOOD);
        responder.answer(revoked.certificate().getSerialNumber(), OcspResponder.Answer.REVOKED);
        int before = responder.requests();

        try (TlsTestClient client = stack.connect(good)) {
            assertEquals(200, client.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
        }
        IOException refused = assertThrows(IOException.class, () -> {
            try (TlsTestClient client = stack.connect(revoked)) {
                client.input().read();
            }
        });
        assertTrue(String.valueOf(refused.getMessage()).contains("certificate_revoked"), refused.getMessage());
        // Both verdicts came from the responder: the fetches really happened (off the loop, or
        // BlockHound fails this test after it).
        assertEquals(before + 2, responder.requests());
    }
}
