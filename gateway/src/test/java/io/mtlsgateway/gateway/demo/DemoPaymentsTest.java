package io.mtlsgateway.gateway.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.server.GatewayServer;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The demo's /payments route answers the three curl lines the demo prints as it says. */
class DemoPaymentsTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    private static IssuedCertificate client(Path pem, Path key) throws Exception {
        X509Certificate certificate = PemFiles.readCertificates(pem).get(0);
        return new IssuedCertificate(certificate, PemFiles.readPrivateKey(key), java.util.List.of());
    }

    @Test
    void aBoundTokenPassesTheSameTokenWithAnotherCertificateAndNoTokenDoNot() throws Exception {
        DemoSetup setup = DemoSetup.prepare(stack.dir().resolve("demo"));
        X509Certificate ca = PemFiles.readCertificates(setup.caCertificate()).get(0);
        String token = Files.readString(setup.tokenFile()).trim();
        EchoUpstream upstream = stack.keep(EchoUpstream.start(0));
        Path routes = setup.writeRouteFile("127.0.0.1", 0, 0, upstream.port());
        GatewayServer server = stack.start(ConfigLoader.load(routes));
        var address = server.address("demo");
        IssuedCertificate demo = client(setup.clientCertificate(), setup.clientKey());
        IssuedCertificate other = client(setup.otherClientCertificate(), setup.otherClientKey());
        String request = "GET /payments/transfer HTTP/1.1\r\nHost: localhost\r\n";
        String bearer = "Authorization: Bearer " + token + "\r\n";
        try (TlsTestClient c = TlsTestClient.connect(address, ca, demo)) {
            TlsTestClient.Response ok = c.send(request + bearer + "\r\n").readResponse();
            assertEquals(200, ok.status(), ok.body());
            assertTrue(ok.body().contains("\"X-User-Id\": \"" + DemoSetup.TOKEN_USER + "\""), ok.body());
        }
        try (TlsTestClient c = TlsTestClient.connect(address, ca, other)) {
            TlsTestClient.Response stolen = c.send(request + bearer + "\r\n").readResponse();
            assertEquals(401, stolen.status());
            assertTrue(stolen.headers().get("www-authenticate").contains("bound to another certificate"));
        }
        try (TlsTestClient c = TlsTestClient.connect(address, ca, demo)) {
            TlsTestClient.Response missing = c.send(request + "\r\n").readResponse();
            assertEquals(401, missing.status());
            assertEquals("Bearer realm=\"dev-idp\"", missing.headers().get("www-authenticate"));
        }
    }
}
