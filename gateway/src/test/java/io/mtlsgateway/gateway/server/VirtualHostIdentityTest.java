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
import io.mtlsgateway.gateway.testing.FlatJson;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.HostsPki;
import io.mtlsgateway.gateway.testing.ResumingClient;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient.Response;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a host entry gives a connection beyond its certificate, over real TLS: the identity headers
 * and XFCC {@code By} of that entry, sessions that resume on that entry only, the entry's first name
 * (never the client's Host) in the access log, and per-entry handshake and expiry series.
 */
class VirtualHostIdentityTest {
    private static final String API = "api.bank.test";
    private static final String OPEN = "open.bank.test";
    private static final String OPS = "ops.bank.test";

    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    TestPki pki;
    HostsPki hosts;
    EchoUpstream upstream;
    GatewayServer gateway;
    InetSocketAddress edge;
    InetSocketAddress strict;
    IssuedCertificate partner;
    IssuedCertificate operator;
    Path accessLog;

    @BeforeEach
    void start() throws Exception {
        pki = stack.pki();
        hosts = new HostsPki(pki);
        upstream = stack.keep(EchoUpstream.start(0));
        partner = pki.client("partner-app", null);
        operator = hosts.opsClient("operator");
        // A log of this test's own: the stack's folder serves the whole class.
        accessLog = Files.createTempDirectory(stack.dir(), "test").resolve("access.log");
        TlsConfig api = hosts.serverTls(API, ClientAuthMode.REQUIRE, pki.clientCaFile);
        TlsConfig open = hosts.serverTls(OPEN, ClientAuthMode.OPTIONAL, pki.clientCaFile);
        TlsConfig ops = hosts.serverTls(OPS, ClientAuthMode.REQUIRE, hosts.opsCaFile);
        ListenerHosts edgeHosts = new ListenerHosts(List.of(hosts.host(api, API, "*.partners.bank.test"),
                hosts.host(open, OPEN), hosts.host(ops, OPS)), Optional.of(API));
        ListenerHosts strictHosts = new ListenerHosts(List.of(hosts.host(ops, OPS)), Optional.empty());
        List<RouteConfig> routes = List.of(
                route("open-public", OPEN, "/public", ClientCertRequirement.OPTIONAL),
                route("api", API, "/", ClientCertRequirement.REQUIRED),
                route("partners", "*.partners.bank.test", "/", ClientCertRequirement.REQUIRED),
                route("ops", OPS, "/", ClientCertRequirement.REQUIRED));
        Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
        upstreams.put("echo", GatewayFixture.upstream("echo", Duration.ofSeconds(30), upstream.port()));
        GatewayConfig config = new GatewayConfig(pki.dir.resolve("routes.yaml"), 2, Transport.AUTO,
                new AdminConfig(new HostPort("127.0.0.1", 0)),
                List.of(listener("edge", api, edgeHosts), listener("strict", ops, strictHosts)), routes, upstreams,
                GatewayConfig.DEFAULT_DRAIN_TIMEOUT, new AccessLogConfig(true, Optional.of(accessLog)));
        gateway = stack.start(config, GatewayServer.FileWatching.OFF);
        edge = gateway.address("edge");
        strict = gateway.address("strict");
    }

    private static RouteConfig route(String name, String host, String prefix, ClientCertRequirement clientCert) {
        return new RouteConfig(name, new RouteMatch(Optional.of(host), Optional.of(prefix), Map.of()), "echo",
                List.of(), Optional.empty(), Optional.empty(), List.of(), clientCert);
    }

    private static ListenerConfig listener(String name, TlsConfig primary, ListenerHosts entries) {
        return new ListenerConfig(name, new HostPort("127.0.0.1", 0), primary, GatewayFixture.identityHeaders(),
                XfccMode.SANITIZE_SET, false, HttpSettings.defaults(), entries);
    }

    private TlsTestClient connect(String sni, IssuedCertificate client, String... protocols) throws Exception {
        return TlsTestClient.connectTo(sni, edge, pki.server.root(), client, protocols);
    }

    private static Response get(TlsTestClient connection, String host, String path, String extra) throws IOException {
        return connection.send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + extra + "\r\n").readResponse();
    }

    private X509Certificate served(String dnsName) throws IOException {
        return PemFiles.readCertificates(pki.dir.resolve(dnsName + ".pem")).get(0);
    }

    private static double epochSeconds(X509Certificate certificate) {
        return certificate.getNotAfter().toInstant().getEpochSecond();
    }

    @Test
    void xfccByAndIdentityHeadersFollowTheEntryOfTheConnection() throws Exception {
        String forged = "X-Forwarded-Client-Cert: By=spiffe://evil;Subject=\"CN=admin\"\r\n"
                + "X-Client-Subject: CN=admin\r\n";
        try (TlsTestClient connection = connect(API, partner)) {
            String body = get(connection, API, "/x", forged).body();
            assertTrue(body.contains("\"X-Forwarded-Client-Cert\": \"By=" + HostsPki.gatewayUri(API) + ";Hash="),
                    body);
            assertTrue(body.contains("\"X-Client-Subject\": \"CN=partner-app,O=Test\""), body);
            assertFalse(body.contains("evil") || body.contains("CN=admin"), body);
        }
        try (TlsTestClient connection = connect(OPS, operator)) {
            String body = get(connection, OPS, "/x", forged).body();
            assertTrue(body.contains("\"X-Forwarded-Client-Cert\": \"By=" + HostsPki.gatewayUri(OPS) + ";Hash="),
                    body);
            assertTrue(body.contains("\"X-Client-Subject\": \"CN=operator,O=Ops\""), body);
            assertFalse(body.contains("evil") || body.contains("CN=admin"), body);
        }
        try (TlsTestClient connection = connect(OPEN, partner)) {
            String body = get(connection, OPEN, "/public/x", "").body();
            assertTrue(body.contains("\"X-Forwarded-Client-Cert\": \"By=" + HostsPki.gatewayUri(OPEN) + ";Hash="),
                    body);
        }
        try (TlsTestClient connection = connect(OPEN, null)) {
            // No certificate: no identity at all, and the client's copies are gone.
            String body = get(connection, OPEN, "/public/x", forged).body();
            assertFalse(body.contains("X-Forwarded-Client-Cert") || body.contains("X-Client-Subject"), body);
        }
    }

    @Test
    void aSessionOfOneEntryIsNeverResumedOnAnother() throws Exception {
        // One client per direction, so that the only sessions it holds are of the entry it came from
        // (a client's cache keeps every ticket it got and offers any one of them).
        try (ResumingClient fromApi = new ResumingClient(pki.server.root(), partner)) {
            assertFalse(fromApi.get(edge, API, "/x"), "the first handshake is a full one");
            assertTrue(fromApi.get(edge, API, "/x"), "the client offers its session, and its entry resumes it");
            // The session offered under another entry's name: that entry does a full handshake, with
            // its own certificate and client policy.
            assertFalse(fromApi.get(edge, OPEN, "/public/x"), "a session of api is not resumed on open");
        }
        try (ResumingClient fromOpen = new ResumingClient(pki.server.root(), partner)) {
            assertFalse(fromOpen.get(edge, OPEN, "/public/x"));
            assertTrue(fromOpen.get(edge, OPEN, "/public/x"), "open resumes its own");
            assertFalse(fromOpen.get(edge, API, "/x"), "a session of open (optional) is not resumed on api (require)");
        }
        String scrape = new AdminClient(gateway.adminAddress()).scrape();
        assertEquals(2.0, AdminClient.value(scrape, "mtls_gateway_tls_sessions_total", "listener", "edge", "kind",
                "resumed"), scrape);
        assertEquals(4.0, AdminClient.value(scrape, "mtls_gateway_tls_sessions_total", "listener", "edge", "kind",
                "full"), scrape);
    }

    @Test
    void accessLogHostIsTheEntrysFirstNameNeverTheHostHeader() throws Exception {
        try (TlsTestClient connection = connect("eu.partners.bank.test", partner)) {
            assertEquals(200, get(connection, "eu.partners.bank.test:8443", "/wild", "").status());
            assertEquals(421, get(connection, OPS, "/misdirected", "").status());
            assertEquals(421, get(connection, "made-up-" + "x".repeat(40) + ".example", "/unknown", "").status());
        }
        try (TlsTestClient connection = connect(OPEN, null)) {
            assertEquals(200, get(connection, OPEN, "/public/open", "").status());
        }
        String scrape = new AdminClient(gateway.adminAddress()).scrape();
        assertEquals(2.0, AdminClient.value(scrape, "mtls_gateway_host_requests_total", "host", API, "code", "421"),
                scrape);
        assertFalse(scrape.contains("eu.partners") || scrape.contains("made-up-"), "no client name as a label");
        gateway.close(); // flushes the access log
        Map<String, String> hostByPath = new LinkedHashMap<>();
        for (String line : Files.readAllLines(accessLog)) {
            Map<String, Object> record = FlatJson.parse(line);
            hostByPath.put(String.valueOf(record.get("path")), String.valueOf(record.get("host")));
        }
        assertEquals(Map.of("/wild", API, "/misdirected", API, "/unknown", API, "/public/open", OPEN), hostByPath);
    }

    @Test
    void countsHandshakesByEntryAndReasonUnknownSniAndExpiryPerEntry() throws Exception {
        try (TlsTestClient connection = connect(API, partner)) {
            assertEquals(200, get(connection, API, "/x", "").status());
        }
        // TLS 1.2: the client is refused before the handshake ends.
        assertThrows(IOException.class, () -> connect(OPS, partner, "TLSv1.2").close());
        try (TlsTestClient unknown = connect("nobody.example", partner);
                TlsTestClient none = connect(null, partner)) {
            assertEquals(200, get(unknown, API, "/x", "").status(), "served by the default entry");
            assertEquals(200, get(none, API, "/x", "").status());
        }
        assertThrows(IOException.class,
                () -> TlsTestClient.connectTo("nobody.example", strict, pki.server.root(), operator).close());

        String scrape = new AdminClient(gateway.adminAddress()).scrape();
        assertEquals(3.0, AdminClient.value(scrape, "mtls_gateway_host_handshakes_total", "listener", "edge",
                "host", API, "outcome", "success", "reason", "none"), scrape);
        assertEquals(1.0, AdminClient.value(scrape, "mtls_gateway_host_handshakes_total", "listener", "edge",
                "host", OPS, "outcome", "failure", "reason", "untrusted"), scrape);
        assertEquals(1.0, AdminClient.value(scrape, "mtls_gateway_sni_selections_total", "listener", "edge", "sni",
                "unknown_sni"), scrape);
        assertEquals(1.0, AdminClient.value(scrape, "mtls_gateway_sni_selections_total", "listener", "edge", "sni",
                "no_sni"), scrape);
        assertEquals(2.0, AdminClient.value(scrape, "mtls_gateway_sni_selections_total", "listener", "edge", "sni",
                "matched"), scrape);
        assertEquals(1.0, AdminClient.value(scrape, "mtls_gateway_handshakes_total", "listener", "strict", "outcome",
                "failure", "reason", "unknown_sni"), scrape);
        assertEquals(1.0, AdminClient.value(scrape, "mtls_gateway_sni_selections_total", "listener", "strict", "sni",
                "unknown_sni"), scrape);

        for (String host : List.of(API, OPEN, OPS)) {
            assertEquals(epochSeconds(served(host)), AdminClient.value(scrape,
                    "mtls_gateway_host_certificate_expiry_timestamp_seconds", "listener", "edge", "host", host, "role",
                    "server"), host + ": " + scrape);
            assertTrue(Double.isNaN(AdminClient.value(scrape, "mtls_gateway_host_certificate_expiry_timestamp_seconds",
                    "listener", "edge", "host", host, "role", "crl")), "no CRL on " + host);
        }
        assertEquals(epochSeconds(pki.clientCa.certificate()), AdminClient.value(scrape,
                "mtls_gateway_host_certificate_expiry_timestamp_seconds", "host", API, "role", "ca"), scrape);
        assertEquals(epochSeconds(hosts.opsCa.certificate()), AdminClient.value(scrape,
                "mtls_gateway_host_certificate_expiry_timestamp_seconds", "listener", "edge", "host", OPS, "role",
                "ca"), scrape);
        // The server certificates differ per entry, so the gauges do too.
        assertFalse(served(API).equals(served(OPS)));
    }
}
