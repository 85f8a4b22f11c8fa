package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.CrlIssuer;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient.Response;
import io.mtlsgateway.gateway.testing.TlsUpstream;
import io.mtlsgateway.gateway.testing.UpstreamPki;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Upstream TLS through the whole gateway: real Netty TLS upstreams that require the gateway's
 * client certificate, over loopback. Every refusal is a 502 naming the reason, counted by kind,
 * and the upstream never receives the request.
 */
class UpstreamTlsTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static TestPki pki;
    static UpstreamPki up;
    static TlsUpstream good;
    static TlsUpstream expired;
    static TlsUpstream revoked;
    static TlsUpstream closing;
    static GatewayServer gateway;
    static IssuedCertificate client;

    @BeforeAll
    static void start() throws Exception {
        pki = stack.pki();
        up = new UpstreamPki(stack.dir());
        client = pki.client("app", null);
        List<java.security.cert.X509Certificate> gatewayCa = List.of(up.gatewayClientCa.certificate());
        good = stack.keep(TlsUpstream.start(up.server, gatewayCa, false));
        Instant now = Instant.now();
        expired = stack.keep(TlsUpstream.start(UpstreamPki.server("old").validity(now.minus(Duration.ofDays(30)),
                now.minus(Duration.ofDays(1))).signedBy(up.upstreamCa), gatewayCa, false));
        IssuedCertificate revokedCert = UpstreamPki.server("revoked").signedBy(up.upstreamCa);
        revoked = stack.keep(TlsUpstream.start(revokedCert, gatewayCa, false));
        closing = stack.keep(TlsUpstream.start(up.server, gatewayCa, true));
        Path crl = stack.dir().resolve("upstream.crl");
        PemFiles.write(crl, CrlIssuer.issue(up.upstreamCa, Set.of(revokedCert.certificate().getSerialNumber()),
                now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1))));
        Path otherCa = stack.dir().resolve("other-ca.pem");
        PemFiles.write(otherCa, new CertificateBuilder().subject("CN=other CA").ca(-1).selfSigned().certificate());
        String full = up.tlsBlock("");
        String upstreams = "upstreams:\n"
                + upstream("ok", good, full)
                + upstream("nocert", good, "    tls:\n      ca: " + up.upstreamCaFile + "\n")
                + upstream("wrongca", good, full.replace(up.upstreamCaFile.toString(), otherCa.toString()))
                + upstream("expired", expired, full)
                + upstream("revoked", revoked, up.tlsBlock("      crl: [" + crl + "]\n"))
                + upstream("name", good, up.tlsBlock("      serverName: ledger.internal\n"))
                + upstream("localhost", good, up.tlsBlock("      serverName: localhost\n"))
                + upstream("pinned", good, up.tlsBlock("      verify:\n        - spiffe: " + UpstreamPki.UPSTREAM_SPIFFE
                        + "\n"))
                + upstream("pinwrong", good, up.tlsBlock("      verify:\n        - spiffe: spiffe://upstream.example/ns/"
                        + "prod/sa/teller\n        - sanDns: teller.internal\n"))
                + upstream("resume", closing, full)
                + upstream("checked", good, "    healthCheck: { path: /health-over-tls, interval: 1s }\n" + full);
        StringBuilder routes = new StringBuilder("routes:\n");
        for (String name : List.of("ok", "nocert", "wrongca", "expired", "revoked", "name", "localhost", "pinned",
                "pinwrong", "resume")) {
            routes.append("  - name: ").append(name).append("\n    match: { pathPrefix: /").append(name)
                    .append(" }\n    upstream: ").append(name).append("\n");
        }
        Path routeFile = stack.dir().resolve("routes.yaml");
        Files.writeString(routeFile, "version: 1\nworkers: 1\nadmin:\n  listen: 127.0.0.1:0\n"
                + "listeners:\n  - name: edge\n    listen: 127.0.0.1:0\n    tls:\n"
                + "      certificate: " + pki.serverCertificate + "\n      privateKey: " + pki.serverKey + "\n"
                + "      clientCa: " + pki.clientCaFile + "\n"
                + routes + upstreams);
        gateway = stack.start(ConfigLoader.load(routeFile));
    }

    private static String upstream(String name, TlsUpstream server, String tls) {
        return "  " + name + ":\n    endpoints: [127.0.0.1:" + server.port() + "]\n" + tls;
    }

    private static Response get(String path) throws Exception {
        try (TlsTestClient connection = TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER),
                pki.server.root(), client)) {
            return connection.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse();
        }
    }

    @Test
    void presentsTheGatewayClientCertificateToAnUpstreamThatRequiresOne() throws Exception {
        Response response = get("/ok/x");
        assertEquals(200, response.status(), response.body());
        assertEquals("CN=gateway-client,O=Test", response.headers().get("x-upstream-client"));
    }

    @Test
    void checksTheNameItConnectedToAndAcceptsAMatchingServerName() throws Exception {
        assertEquals(200, get("/localhost/x").status());
    }

    @Test
    void acceptsAnUpstreamMatchingItsSpiffePinWhateverTheName() throws Exception {
        assertEquals(200, get("/pinned/x").status());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "wrongca, upstream_tls_untrusted, tls_untrusted",
        "expired, upstream_tls_expired, tls_expired",
        "revoked, upstream_tls_revoked, tls_revoked",
        "name, upstream_tls_name_mismatch, tls_name_mismatch",
        "pinwrong, upstream_tls_pin_mismatch, tls_pin_mismatch",
    })
    void refusesAnUpstreamThatFailsVerificationWith502AndSendsNothing(String upstream, String code, String kind)
            throws Exception {
        TlsUpstream server = switch (upstream) {
            case "expired" -> expired;
            case "revoked" -> revoked;
            default -> good;
        };
        double counted = errors(upstream, kind);
        Response response = get("/" + upstream + "/x");
        assertEquals(502, response.status(), response.body());
        assertTrue(response.body().contains(code), response.body());
        assertEquals(0, server.requestsFor("/" + upstream + "/x"), "the upstream must not receive the request");
        assertEquals(counted + 1, errors(upstream, kind));
    }

    @Test
    void anUpstreamThatRequiresAClientCertificateRefusesTheGatewayWithoutOne() throws Exception {
        Response response = get("/nocert/x");
        assertEquals(502, response.status(), response.body());
        assertEquals(0, good.requestsFor("/nocert/x"));
        assertTrue(response.body().contains("upstream_tls_handshake"), response.body());
    }

    @Test
    void runsActiveHealthChecksOverTheSameMutualTls() throws Exception {
        // The upstream only answers HTTP after verifying the gateway's client certificate.
        var head = good.firstRequestFor("/health-over-tls").get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals("mtls-gateway-health-check", head.get("user-agent"));
    }

    @Test
    void resumesSessionsInsteadOfAFullHandshakePerNewConnection() throws Exception {
        int connections = closing.connections();
        int full = closing.fullHandshakes();
        for (int i = 0; i < 4; i++) {
            assertEquals(200, get("/resume/x").status());
        }
        assertEquals(connections + 4, closing.connections(), "each request came on a new connection");
        assertTrue(closing.fullHandshakes() - full <= 1,
                "at most the first connection pays a full handshake: " + (closing.fullHandshakes() - full));
    }

    @Test
    void publishesWhenTheUpstreamTlsMaterialExpires() throws Exception {
        String scrape = new AdminClient(gateway.adminAddress()).scrape();
        double client = AdminClient.value(scrape, "mtls_gateway_certificate_expiry_timestamp_seconds",
                "upstream", "ok", "role", "upstream_client");
        assertEquals(up.gatewayClient.certificate().getNotAfter().toInstant().getEpochSecond(), (long) client);
        double ca = AdminClient.value(scrape, "mtls_gateway_certificate_expiry_timestamp_seconds",
                "upstream", "ok", "role", "upstream_ca");
        assertEquals(up.upstreamCa.certificate().getNotAfter().toInstant().getEpochSecond(), (long) ca);
        assertTrue(!Double.isNaN(AdminClient.value(scrape, "mtls_gateway_certificate_expiry_timestamp_seconds",
                "upstream", "revoked", "role", "upstream_crl")), scrape);
    }

    private static double errors(String upstream, String kind) throws Exception {
        return AdminClient.value(new AdminClient(gateway.adminAddress()).scrape(),
                "mtls_gateway_upstream_errors_total", "upstream", upstream, "kind", kind);
    }
}
