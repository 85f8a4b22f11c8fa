package io.mtlsgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private RouteFiles files;

    @BeforeEach
    void setUp() {
        files = new RouteFiles(dir);
    }

    @Test
    void bindsEveryKeyOfAFullFileIntoTheRecords() throws ConfigException {
        String yaml = """
                version: 1
                workers: 3
                transport: epoll
                admin:
                  listen: 127.0.0.1:9902
                listeners:
                  - name: edge
                    listen: 0.0.0.0:8443
                    tls:
                      certificate: certs/server.pem
                      privateKey: certs/server.key
                      clientAuth: optional
                      clientCa: certs/ca.pem
                      crl: [certs/ca.crl, certs/other.crl]
                      ocsp: soft-fail
                      verifyDepth: 2
                      protocols: [TLSv1.3]
                      sessionTickets: false
                    identityHeaders:
                      X-Client-Subject: "${subject}"
                      X-Client-Spiffe-Id: "spiffe=${spiffe}"
                    xfcc: append-forward
                    rfc9440: true
                    http: { maxHeaderCount: 50, headerReadTimeout: 5s, idleTimeout: 2m, via: true }
                routes:
                  - name: payments
                    match:
                      host: api.example.com
                      pathPrefix: /payments
                      headers: { X-Tenant: bank }
                    upstream: payments
                    allow:
                      - spiffe: spiffe://bank.example/ns/prod/sa/mobile-app
                      - subject: "CN=MobileAppCertificate,O=Bank"
                      - sanDns: "*.internal.example"
                      - fingerprint: 8F:43:28:8A:D2:72:F3:10:3B:6F:B1:42:84:85:EA:30:14:C0:BC:FE:E6:51:AC:5A:19:78:CD:ED:F5:ED:8E:FF
                    rewritePrefix: /
                upstreams:
                  payments:
                    endpoints: [127.0.0.1:8080, "[::1]:8081"]
                    connectTimeout: 500ms
                    responseTimeout: 5m
                    idleTimeout: 1h
                    maxConnectionsPerEndpoint: 64
                    healthCheck: { path: /health, interval: 10s, timeout: 1s, unhealthyThreshold: 3, healthyThreshold: 2 }
                    loadBalancing: least-outstanding
                    maxPendingRequests: 10
                    outlierDetection: { consecutiveFailures: 3, baseEjection: 10s, maxEjection: 1m }
                """;

        GatewayConfig config = files.load(yaml);

        Path certs = dir.toAbsolutePath().resolve("certs");
        Map<String, IdentityTemplate> headers = new LinkedHashMap<>();
        headers.put("X-Client-Subject", IdentityTemplate.parse("${subject}"));
        headers.put("X-Client-Spiffe-Id", IdentityTemplate.parse("spiffe=${spiffe}"));
        TlsConfig tls = new TlsConfig(
                certs.resolve("server.pem"), certs.resolve("server.key"), ClientAuthMode.OPTIONAL,
                certs.resolve("ca.pem"), List.of(certs.resolve("ca.crl"), certs.resolve("other.crl")),
                OcspMode.SOFT_FAIL, 2, List.of(TlsProtocol.TLS_1_3), false);
        ListenerConfig listener = new ListenerConfig(
                "edge", new HostPort("0.0.0.0", 8443), tls, headers, XfccMode.APPEND_FORWARD, true,
                new HttpSettings(50, Duration.ofSeconds(5), Duration.ofMinutes(2), true));
        RouteConfig route = new RouteConfig(
                "payments",
                new RouteMatch(Optional.of("api.example.com"), Optional.of("/payments"), Map.of("X-Tenant", "bank")),
                "payments",
                List.of(
                        new AllowRule(AllowRule.Kind.SPIFFE, "spiffe://bank.example/ns/prod/sa/mobile-app"),
                        new AllowRule(AllowRule.Kind.SUBJECT, "CN=MobileAppCertificate,O=Bank"),
                        new AllowRule(AllowRule.Kind.SAN_DNS, "*.internal.example"),
                        new AllowRule(AllowRule.Kind.FINGERPRINT,
                                "8f43288ad272f3103b6fb1428485ea3014c0bcfee651ac5a1978cdedf5ed8eff")),
                Optional.of("/"));
        UpstreamConfig upstream = new UpstreamConfig(
                "payments", List.of(new HostPort("127.0.0.1", 8080), new HostPort("::1", 8081)),
                Duration.ofMillis(500), Duration.ofMinutes(5), Duration.ofHours(1), 64,
                Optional.of(new HealthCheckConfig("/health", Duration.ofSeconds(10), Duration.ofSeconds(1), 3, 2)),
                LoadBalancing.LEAST_OUTSTANDING, 10,
                new OutlierDetectionConfig(3, Duration.ofSeconds(10), Duration.ofMinutes(1)));
        GatewayConfig expected = new GatewayConfig(
                files.file.toAbsolutePath(), 3, Transport.EPOLL, new AdminConfig(new HostPort("127.0.0.1", 9902)),
                List.of(listener), List.of(route), Map.of("payments", upstream), GatewayConfig.DEFAULT_DRAIN_TIMEOUT,
                AccessLogConfig.DEFAULT);
        assertEquals(expected, config);
        assertEquals(List.of("X-Client-Subject", "X-Client-Spiffe-Id"),
                List.copyOf(config.listeners().get(0).identityHeaders().keySet()), "file order kept");
    }

    @Test
    void appliesDefaultsWhenOptionalKeysAreAbsent() throws ConfigException {
        GatewayConfig config = files.load(RouteFiles.MINIMAL);

        assertEquals(Runtime.getRuntime().availableProcessors(), config.workers());
        assertEquals(Transport.AUTO, config.transport());
        assertEquals(new HostPort("127.0.0.1", 9901), config.admin().listen());
        ListenerConfig listener = config.listeners().get(0);
        assertEquals(Map.of(), listener.identityHeaders());
        assertEquals(XfccMode.SANITIZE_SET, listener.xfcc());
        assertEquals(false, listener.rfc9440());
        TlsConfig tls = listener.tls();
        assertEquals(ClientAuthMode.REQUIRE, tls.clientAuth());
        assertEquals(List.of(), tls.crl());
        assertEquals(OcspMode.OFF, tls.ocsp());
        assertEquals(4, tls.verifyDepth());
        assertEquals(List.of(TlsProtocol.TLS_1_3, TlsProtocol.TLS_1_2), tls.protocols());
        assertEquals(true, tls.sessionTickets());
        assertEquals(List.of(), tls.sessionTicketKeys(), "no key files: a per-process random key");
        RouteConfig route = config.routes().get(0);
        assertEquals(RouteMatch.any(), route.match());
        assertEquals(List.of(), route.allow(), "absent allow = any verified client");
        assertEquals(Optional.empty(), route.rewritePrefix());
        UpstreamConfig upstream = config.upstreams().get("app");
        assertEquals(Duration.ofSeconds(2), upstream.connectTimeout());
        assertEquals(Duration.ofSeconds(30), upstream.responseTimeout());
        assertEquals(Duration.ofSeconds(60), upstream.idleTimeout());
        assertEquals(1024, upstream.maxConnectionsPerEndpoint());
        assertEquals(Optional.empty(), upstream.healthCheck());
        assertEquals(LoadBalancing.ROUND_ROBIN, upstream.loadBalancing());
        assertEquals(1024, upstream.maxPendingRequests());
        assertEquals(new OutlierDetectionConfig(5, Duration.ofSeconds(30), Duration.ofMinutes(5)),
                upstream.outlierDetection());
        assertEquals(new HttpSettings(100, Duration.ofSeconds(10), Duration.ofSeconds(60), false), listener.http());
    }

    @Test
    void defaultsHealthCheckIntervalToFiveSeconds() throws ConfigException {
        GatewayConfig config = files.load(RouteFiles.MINIMAL + "    healthCheck: { path: /ready }\n");

        assertEquals(Optional.of(new HealthCheckConfig("/ready", Duration.ofSeconds(5))),
                config.upstreams().get("app").healthCheck());
    }

    @Test
    void allowsEmptyRoutesAndUpstreamsWhenAbsent() throws ConfigException {
        String yaml = RouteFiles.MINIMAL.substring(0, RouteFiles.MINIMAL.indexOf("routes:"));

        GatewayConfig config = files.load(yaml);

        assertEquals(List.of(), config.routes());
        assertEquals(Map.of(), config.upstreams());
    }

    @Test
    void resolvesRelativePathsAgainstTheRouteFilesFolderNotTheWorkingDirectory() throws ConfigException {
        Path confDir = dir.resolve("etc/gateway");
        RouteFiles nested = new RouteFiles(confDir);
        Path shared = nested.touch("../shared/ca.pem");
        Path absolute = files.touch("elsewhere/server.key").toAbsolutePath();
        String yaml = RouteFiles.MINIMAL
                .replace("certs/ca.pem", "../shared/ca.pem")
                .replace("certs/server.key", absolute.toString());

        TlsConfig tls = nested.load(yaml).listeners().get(0).tls();

        assertEquals(confDir.toAbsolutePath().resolve("certs/server.pem"), tls.certificate());
        assertEquals(absolute, tls.privateKey());
        assertEquals(shared.toAbsolutePath().normalize(), tls.clientCa());
        assertTrue(tls.clientCa().isAbsolute());
    }

    @Test
    void acceptsASingleCrlPathAsWellAsAList() throws ConfigException {
        String yaml = RouteFiles.MINIMAL.replace(
                "      clientCa: certs/ca.pem\n", "      clientCa: certs/ca.pem\n      crl: certs/ca.crl\n");

        TlsConfig tls = files.load(yaml).listeners().get(0).tls();

        assertEquals(List.of(dir.toAbsolutePath().resolve("certs/ca.crl")), tls.crl());
    }

    @Test
    void allowsClientCaToBeOmittedWhenClientAuthIsNone() throws ConfigException {
        String yaml = RouteFiles.MINIMAL.replace("      clientCa: certs/ca.pem\n", "      clientAuth: none\n");

        TlsConfig tls = files.load(yaml).listeners().get(0).tls();

        assertEquals(ClientAuthMode.NONE, tls.clientAuth());
        assertEquals(null, tls.clientCa());
    }

    @Test
    void readsBracketedIpv6ListenAddresses() throws ConfigException {
        String yaml = RouteFiles.MINIMAL.replace("listen: 127.0.0.1:8443", "listen: \"[::1]:8443\"");

        assertEquals(new HostPort("::1", 8443), files.load(yaml).listeners().get(0).listen());
    }

    @Test
    void acceptsSpiffeTrustDomainWildcardAndFingerprintWithoutColons() throws ConfigException {
        String fingerprint = "AB".repeat(32);
        String yaml = RouteFiles.MINIMAL.replace("    upstream: app\n", """
                    upstream: app
                    allow:
                      - spiffe: spiffe://bank.example/*
                      - fingerprint: %s
                """.formatted(fingerprint));

        List<AllowRule> allow = files.load(yaml).routes().get(0).allow();

        assertEquals(List.of(
                new AllowRule(AllowRule.Kind.SPIFFE, "spiffe://bank.example/*"),
                new AllowRule(AllowRule.Kind.FINGERPRINT, "ab".repeat(32))), allow);
    }

    @Test
    void readsFromAReaderWithPathsRelativeToTheNamedSource() throws ConfigException {
        Path source = dir.resolve("not-written.yaml");

        GatewayConfig config = ConfigLoader.load(source, new StringReader(RouteFiles.MINIMAL));

        assertEquals(source.toAbsolutePath(), config.source());
        assertEquals(dir.toAbsolutePath().resolve("certs/ca.pem"), config.listeners().get(0).tls().clientCa());
        assertTrue(Files.notExists(source));
    }

    @Test
    void acceptsYamlAnchorsAndMergeKeys() throws ConfigException {
        String yaml = RouteFiles.MINIMAL + """
                  ledger:
                    <<: &defaults { connectTimeout: 1s, responseTimeout: 3s }
                    endpoints: [127.0.0.1:9090]
                """;

        UpstreamConfig ledger = files.load(yaml).upstreams().get("ledger");

        assertEquals(Duration.ofSeconds(1), ledger.connectTimeout());
        assertEquals(Duration.ofSeconds(3), ledger.responseTimeout());
    }

    @Test
    void readsDrainTimeoutAndAccessLogFile() throws ConfigException {
        GatewayConfig config = files.load(RouteFiles.MINIMAL + """
                drainTimeout: 5s
                accessLog: { enabled: true, path: logs/access.log }
                """);

        assertEquals(java.time.Duration.ofSeconds(5), config.drainTimeout());
        assertEquals(new AccessLogConfig(true, java.util.Optional.of(files.dir.resolve("logs/access.log")
                .toAbsolutePath().normalize())), config.accessLog());
    }

    @Test
    void defaultsToThirtySecondDrainAndAccessLogOnStdout() throws ConfigException {
        GatewayConfig config = files.load(RouteFiles.MINIMAL);

        assertEquals(GatewayConfig.DEFAULT_DRAIN_TIMEOUT, config.drainTimeout());
        assertEquals(AccessLogConfig.DEFAULT, config.accessLog());
        assertEquals(AccessLogConfig.OFF, files.load(RouteFiles.MINIMAL + "accessLog: { enabled: false }\n")
                .accessLog());
    }

    @Test
    void rejectsUnknownAccessLogKeyAndBadDrainTimeout() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> files.load(RouteFiles.MINIMAL + "drainTimeout: soon\naccessLog: { file: x }\n"));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("unknown key 'file'"), e.getMessage());
    }

    @Test
    void bindsSessionTicketKeyFilesInOrderResolvedAgainstTheRouteFile() throws Exception {
        files.touch("keys/current.key");
        files.touch("keys/previous.key");
        GatewayConfig config = files.load(RouteFiles.MINIMAL.replace("      clientCa: certs/ca.pem\n",
                "      clientCa: certs/ca.pem\n      sessionTicketKeys: [keys/current.key, keys/previous.key]\n"));

        Path keys = dir.toAbsolutePath().resolve("keys");
        assertEquals(List.of(keys.resolve("current.key"), keys.resolve("previous.key")),
                config.listeners().get(0).tls().sessionTicketKeys());
    }
}
