package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.AccessLogConfig;
import io.mtlsgateway.config.AdminConfig;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.ClientCertRequirement;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.config.ListenerHosts;
import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.config.RouteMatch;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.config.Transport;
import io.mtlsgateway.config.UpstreamConfig;
import io.mtlsgateway.config.XfccMode;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.HostsPki;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient.Response;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many hosts on one port, over real TLS: the SNI picks the server certificate and the client
 * policy; a request for another entry's name is 421; an optional host serves public routes
 * without a certificate and refuses mTLS routes with 403.
 */
class VirtualHostsTest {
    private static final String API = "api.bank.test";
    private static final String OPEN = "open.bank.test";
    private static final String OPS = "ops.bank.test";

    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static TestPki pki;
    static HostsPki hosts;
    static EchoUpstream upstream;
    static GatewayServer gateway;
    static InetSocketAddress edge;
    static InetSocketAddress strict;
    static IssuedCertificate partner;
    static IssuedCertificate operator;

    @BeforeAll
    static void start() throws Exception {
        pki = stack.pki();
        hosts = new HostsPki(pki);
        upstream = stack.keep(EchoUpstream.start(0));
        partner = pki.client("partner-app", null);
        operator = hosts.opsClient("operator");
        TlsConfig api = hosts.serverTls(API, ClientAuthMode.REQUIRE, pki.clientCaFile);
        TlsConfig open = hosts.serverTls(OPEN, ClientAuthMode.OPTIONAL, pki.clientCaFile);
        TlsConfig ops = hosts.serverTls(OPS, ClientAuthMode.REQUIRE, hosts.opsCaFile);
        ListenerHosts edgeHosts = new ListenerHosts(List.of(
                hosts.host(api, API, "*.partners.bank.test"), hosts.host(open, OPEN), hosts.host(ops, OPS)),
                Optional.of(API));
        ListenerHosts strictHosts = new ListenerHosts(List.of(hosts.host(ops, OPS)), Optional.empty());
        List<RouteConfig> routes = List.of(
                route("open-public", OPEN, "/public", ClientCertRequirement.OPTIONAL),
                route("open-account", OPEN, "/account", ClientCertRequirement.REQUIRED),
                route("api", API, "/", ClientCertRequirement.REQUIRED),
                route("partners", "*.partners.bank.test", "/", ClientCertRequirement.REQUIRED),
                route("ops", OPS, "/", ClientCertRequirement.REQUIRED));
        gateway = stack.start(config(List.of(listener("edge", api, edgeHosts), listener("strict", ops,
                strictHosts)), routes), GatewayServer.FileWatching.OFF);
        edge = gateway.address("edge");
        strict = gateway.address("strict");
    }

    static RouteConfig route(String name, String host, String prefix, ClientCertRequirement clientCert) {
        return new RouteConfig(name, new RouteMatch(Optional.of(host), Optional.of(prefix), Map.of()), "echo",
                List.of(), Optional.empty(), Optional.empty(), List.of(), clientCert);
    }

    static ListenerConfig listener(String name, TlsConfig primary, ListenerHosts entries) {
        return new ListenerConfig(name, new HostPort("127.0.0.1", 0), primary, GatewayFixture.identityHeaders(),
                XfccMode.SANITIZE_SET, false, HttpSettings.defaults(), entries);
    }

    static GatewayConfig config(List<ListenerConfig> listeners, List<RouteConfig> routes) {
        Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
        upstreams.put("echo", GatewayFixture.upstream("echo", Duration.ofSeconds(30), upstream.port()));
        return new GatewayConfig(pki.dir.resolve("routes.yaml"), 2, Transport.AUTO,
                new AdminConfig(new HostPort("127.0.0.1", 0)), listeners, routes, upstreams,
                GatewayConfig.DEFAULT_DRAIN_TIMEOUT, AccessLogConfig.OFF);
    }

    private static TlsTestClient connect(String sni, IssuedCertificate client, String... protocols) throws Exception {
        return TlsTestClient.connectTo(sni, edge, pki.server.root(), client, protocols);
    }

    private static Response get(TlsTestClient connection, String host, String path, String extra) throws IOException {
        return connection.send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + extra + "\r\n").readResponse();
    }

    private static String servedName(TlsTestClient connection) throws IOException {
        return connection.serverCertificates()[0].getSubjectX500Principal().getName();
    }

    private static double untrustedHandshakes() throws Exception {
        String scrape = new AdminClient(gateway.adminAddress()).scrape();
        double value = AdminClient.value(scrape, "mtls_gateway_handshakes_total", "listener", "edge", "reason",
                "untrusted");
        return Double.isNaN(value) ? 0 : value;
    }

    @Test
    void sniSelectsTheCertificateAndTheClientCaOfItsEntry() throws Exception {
        try (TlsTestClient connection = connect(API, partner)) {
            assertEquals("CN=" + API, servedName(connection));
            Response response = get(connection, API, "/payments", "");
            assertEquals(200, response.status(), response.body());
            assertTrue(response.body().contains("\"X-Client-Subject\": \"CN=partner-app,O=Test\""), response.body());
        }
        try (TlsTestClient connection = connect(OPS, operator)) {
            assertEquals("CN=" + OPS, servedName(connection));
            Response response = get(connection, OPS, "/status", "");
            assertEquals(200, response.status(), response.body());
            assertTrue(response.body().contains("\"X-Client-Subject\": \"CN=operator,O=Ops\""), response.body());
        }
        try (TlsTestClient connection = connect("eu.partners.bank.test", partner)) {
            assertEquals("CN=" + API, servedName(connection), "a one-label wildcard selects its entry");
            // Both names belong to the entry the SNI selected: the connection may ask for either.
            assertEquals(200, get(connection, API, "/x", "").status());
            assertEquals(200, get(connection, "eu.partners.bank.test", "/x", "").status());
        }
    }

    @Test
    void refusesAPartnersCertificateOnTheOpsHost() throws Exception {
        double before = untrustedHandshakes();
        // TLS 1.2: the server verifies the client before the handshake ends, so connect itself fails.
        assertThrows(IOException.class, () -> connect(OPS, partner, "TLSv1.2").close());
        // And the other way round: the ops CA means nothing on the partners' host.
        assertThrows(IOException.class, () -> connect(API, operator, "TLSv1.2").close());
        assertEquals(before + 2, untrustedHandshakes());
    }

    @Test
    void optionalHostServesPublicRoutesWithoutACertificateAndRefusesMtlsRoutes() throws Exception {
        try (TlsTestClient connection = connect(OPEN, null)) {
            assertEquals("CN=" + OPEN, servedName(connection));
            Response open = get(connection, OPEN, "/public/rates", "X-Client-Subject: CN=forged\r\n");
            assertEquals(200, open.status(), open.body());
            assertFalse(open.body().contains("X-Client-Subject"), "no identity without a certificate, and the"
                    + " client's copy stripped: " + open.body());
            Response account = get(connection, OPEN, "/account", "");
            assertEquals(403, account.status());
            assertTrue(account.body().contains("\"error\":\"client_certificate_required\""), account.body());
        }
        try (TlsTestClient connection = connect(OPEN, partner)) {
            Response account = get(connection, OPEN, "/account", "");
            assertEquals(200, account.status(), account.body());
            assertTrue(account.body().contains("\"X-Client-Subject\": \"CN=partner-app,O=Test\""), account.body());
        }
    }

    @Test
    void optionalHostStillFailsTheHandshakeOfACertificateThatDoesNotVerify() throws Exception {
        double before = untrustedHandshakes();
        // Optional means "may be absent", never "may be invalid".
        assertThrows(IOException.class, () -> connect(OPEN, operator, "TLSv1.2").close());
        assertEquals(before + 1, untrustedHandshakes());
    }

    @Test
    void answers421ForAHostOfAnotherEntry() throws Exception {
        int before = upstream.requestCount();
        try (TlsTestClient connection = connect(OPEN, null)) {
            Response response = get(connection, API, "/payments", "");
            assertEquals(421, response.status());
            assertTrue(response.body().contains("\"error\":\"misdirected_request\""), response.body());
            // The connection stays usable for its own names.
            assertEquals(200, get(connection, OPEN, "/public/x", "").status());
        }
        try (TlsTestClient connection = connect(API, partner)) {
            assertEquals(421, get(connection, OPS, "/status", "").status());
            assertEquals(421, get(connection, "unknown.bank.test", "/", "").status());
        }
        assertEquals(before + 1, upstream.requestCount(), "only the one request for the connection's own host went on");
    }

    @Test
    void aClientWithoutSniIsServedAndJudgedAsTheDefaultHost() throws Exception {
        try (TlsTestClient connection = connect(null, partner)) {
            assertEquals("CN=" + API, servedName(connection));
            assertEquals(200, get(connection, API, "/payments", "").status());
            assertEquals(421, get(connection, OPEN, "/public/x", "").status());
        }
        try (TlsTestClient connection = connect("nobody.example", partner)) {
            assertEquals("CN=" + API, servedName(connection), "an unknown name gets the default entry");
            assertEquals(421, get(connection, "nobody.example", "/", "").status());
        }
    }

    @Test
    void refusesAnUnknownNameWithUnrecognizedNameWithoutADefault() throws Exception {
        SSLException unknown = assertThrows(SSLException.class,
                () -> TlsTestClient.connectTo("nobody.example", strict, pki.server.root(), operator).close());
        assertTrue(String.valueOf(unknown.getMessage()).contains("unrecognized_name"), unknown.toString());
        SSLException none = assertThrows(SSLException.class,
                () -> TlsTestClient.connectTo(null, strict, pki.server.root(), operator).close());
        assertTrue(String.valueOf(none.getMessage()).contains("unrecognized_name"), none.toString());
        String scrape = new AdminClient(gateway.adminAddress()).scrape();
        assertTrue(AdminClient.value(scrape, "mtls_gateway_handshakes_total", "listener", "strict", "reason",
                "unknown_sni") >= 2, scrape);
        // The entry it has still works.
        try (TlsTestClient connection = TlsTestClient.connectTo(OPS, strict, pki.server.root(), operator)) {
            assertEquals(200, get(connection, OPS, "/status", "").status());
        }
    }
    @Test
    void answers421OverH2ForAnAuthorityOfAnotherEntry() throws Exception {
        int before = upstream.requestCount();
        try (H2TestClient connection = H2TestClient.connect(OPEN, edge, pki.server.root(), null)) {
            H2TestClient.Reply misdirected = connection.request(new DefaultHttp2Headers().method("GET")
                    .path("/payments").scheme("https").authority(API), null, null).get(10, TimeUnit.SECONDS);
            assertEquals(421, misdirected.status(), misdirected.body());
            assertTrue(misdirected.body().contains("\"error\":\"misdirected_request\""), misdirected.body());
            // The connection (and its other streams) stay usable for the entry's own names.
            H2TestClient.Reply own = connection.request(new DefaultHttp2Headers().method("GET")
                    .path("/public/x").scheme("https").authority(OPEN + ":443"), null, null).get(10, TimeUnit.SECONDS);
            assertEquals(200, own.status(), own.body());
        }
        try (H2TestClient connection = H2TestClient.connect(API, edge, pki.server.root(), partner)) {
            H2TestClient.Reply misdirected = connection.request(new DefaultHttp2Headers().method("GET")
                    .path("/status").scheme("https").authority(OPS), null, null).get(10, TimeUnit.SECONDS);
            assertEquals(421, misdirected.status(), misdirected.body());
        }
        assertEquals(before + 1, upstream.requestCount(), "only the request for the connection's own entry went on");
    }
}
