package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.OcspMode;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.config.TlsProtocol;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code run} with the server certificate and its key in one PEM file, as HAProxy and nginx take it. */
class CombinedPemFileTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    private static TlsConfig tls(TestPki pki, Path certificate, Path key) {
        return new TlsConfig(certificate, key, ClientAuthMode.REQUIRE, pki.clientCaFile, List.of(), OcspMode.OFF,
                TlsConfig.DEFAULT_VERIFY_DEPTH, List.of(TlsProtocol.TLS_1_3, TlsProtocol.TLS_1_2), true);
    }

    @Test
    void servesWithTheChainAndKeyReadFromTheSameFile() throws Exception {
        TestPki pki = stack.pki();
        Path combined = stack.dir().resolve("haproxy.pem");
        Files.writeString(combined, PemFiles.toPem(pki.server.chainWithoutRoot().toArray())
                + Files.readString(pki.serverKey));
        EchoUpstream upstream = stack.keep(EchoUpstream.start(0));
        stack.start(GatewayFixture.config(pki, tls(pki, combined, combined),
                List.of(GatewayFixture.route("all", "/", "echo")),
                List.of(GatewayFixture.upstream("echo", Duration.ofSeconds(5), upstream.port()))));
        try (TlsTestClient client = stack.connect(pki.client("app", null))) {
            assertEquals(pki.server.certificate(), client.serverCertificates()[0]);
            assertEquals(200, client.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
        }
    }

    @Test
    void refusesToStartWithAKeyFileThatHoldsOnlyCertificatesAndSaysSo() throws Exception {
        TestPki pki = stack.pki();
        // Kept by the stack (and so closed) should it start after all.
        Exception e = assertThrows(Exception.class, () -> stack.start(GatewayFixture.config(pki,
                tls(pki, pki.serverCertificate, pki.serverCertificate), List.of(GatewayFixture.route("all", "/", "echo")),
                List.of(GatewayFixture.upstream("echo", Duration.ofSeconds(5), 9)))));
        assertTrue(e.getMessage().contains(pki.serverCertificate + ": holds a CERTIFICATE block but no private key"),
                e.getMessage());
    }
}
