package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A client certificate with hundreds of SANs cannot blow up the request head through XFCC. */
class XfccBudgetTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    /** The header's value in the echo upstream's JSON, unescaped. */
    private static String xfcc(String body) {
        String key = "\"X-Forwarded-Client-Cert\": \"";
        int at = body.indexOf(key);
        assertTrue(at >= 0, body);
        StringBuilder value = new StringBuilder();
        for (int i = at + key.length(); body.charAt(i) != '"'; i++) {
            char c = body.charAt(i);
            if (c == '\\') {
                c = body.charAt(++i);
            }
            value.append(c);
        }
        return value.toString();
    }

    @Test
    void shortensTheLargerSanFieldToFitTheBudgetKeepsTheSpiffeIdAndCountsIt() throws Exception {
        TestPki pki = stack.pki();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            names.add("host-" + i + ".example");
        }
        String longest = "a-very-long-name-" + "x".repeat(200) + ".example";
        names.add(longest);
        IssuedCertificate client = new CertificateBuilder().subject("CN=many-sans,O=Test").forClient()
                .uri("spiffe://test.example/ns/prod/sa/many").dns(names.toArray(String[]::new))
                .signedBy(pki.clientCa);
        EchoUpstream upstream = stack.keep(EchoUpstream.start(0));
        GatewayServer gateway = stack.start(GatewayFixture.config(pki, ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("all", "/", "echo")),
                List.of(GatewayFixture.upstream("echo", Duration.ofSeconds(5), upstream.port()))));
        try (TlsTestClient connection = stack.connect(client)) {
            TlsTestClient.Response response = connection.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .readResponse();
            assertEquals(200, response.status());
            String xfcc = xfcc(response.body());
            assertTrue(xfcc.length() <= 4096, "length " + xfcc.length());
            assertTrue(xfcc.contains(";Subject=\"CN=many-sans,O=Test\";URI=spiffe://test.example/ns/prod/sa/many;"),
                    xfcc);
            assertTrue(xfcc.contains(";DNS=host-0.example;"), xfcc);
            assertFalse(xfcc.contains(longest), "the larger field (DNS) is shortened from its end");
            assertTrue(xfcc.length() > 4000, "only what does not fit is dropped: " + xfcc.length());
            double trimmed = AdminClient.value(new AdminClient(gateway.adminAddress()).scrape(),
                    "mtls_gateway_xfcc_trimmed_total", "listener", GatewayFixture.LISTENER);
            assertEquals(1.0, trimmed);
        }
    }
}
