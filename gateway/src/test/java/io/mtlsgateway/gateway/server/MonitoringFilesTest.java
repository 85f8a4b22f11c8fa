package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.CrlIssuer;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.PromQlNames;
import io.mtlsgateway.gateway.testing.TestIssuer;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * deploy/monitoring's alert rules and Grafana dashboard name only series a real gateway exports:
 * a renamed metric would otherwise leave an alert matching nothing, silently, forever.
 */
class MonitoringFilesTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    private static final Path MONITORING = Path.of("..", "deploy", "monitoring");

    static TestPki pki;
    static EchoUpstream echo;
    static GatewayServer gateway;
    static Set<String> exported;

    @BeforeAll
    static void scrapeAGatewayThatServedTraffic() throws Exception {
        pki = stack.pki();
        echo = stack.keep(EchoUpstream.start(0));
        // A CRL, so the role="crl" expiry series exists; a token route, so the JWT series do.
        Path crl = stack.dir().resolve("clients.crl");
        Instant now = Instant.now();
        PemFiles.write(crl, CrlIssuer.issue(pki.clientCa, List.of(), now, now.plus(Duration.ofDays(7))));
        Files.writeString(stack.dir().resolve("idp-jwks.json"), TestIssuer.create("ES256", "k1").jwks());
        Path routes = stack.dir().resolve("routes.yaml");
        Files.writeString(routes, "version: 1\nworkers: 1\nadmin:\n  listen: 127.0.0.1:0\n"
                + "jwt:\n  idp:\n    issuer: " + TestIssuer.ISSUER + "\n    audiences: [" + TestIssuer.AUDIENCE + "]\n"
                + "    jwks: { file: idp-jwks.json }\n"
                + "listeners:\n  - name: " + GatewayFixture.LISTENER + "\n    listen: 127.0.0.1:0\n    tls:\n"
                + "      certificate: " + pki.serverCertificate + "\n      privateKey: " + pki.serverKey + "\n"
                + "      clientCa: " + pki.clientCaFile + "\n      crl: [" + crl + "]\n"
                + "routes:\n  - name: tokens\n    match: { pathPrefix: /tokens }\n    upstream: echo\n"
                + "    jwt: { issuer: idp }\n"
                + "  - name: api\n    upstream: echo\n"
                + "upstreams:\n  echo:\n    endpoints: [127.0.0.1:" + echo.port() + "]\n");
        gateway = stack.start(ConfigLoader.load(routes));
        try (TlsTestClient client = stack.connect(pki.client("app", "spiffe://test.example/app"))) {
            assertEquals(200, client.send("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
            assertEquals(401, client.send("GET /tokens/x HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
        }
        exported = namesIn(new AdminClient(gateway.adminAddress()).scrape());
    }

    @Test
    void everyAlertRuleReadsExportedSeries() throws Exception {
        Map<?, ?> file = (Map<?, ?>) load(MONITORING.resolve("mtls-gateway.rules.yaml")).get(0);
        Set<String> alerts = new HashSet<>();
        Set<String> named = new LinkedHashSet<>();
        for (Object group : (List<?>) file.get("groups")) {
            for (Object r : (List<?>) ((Map<?, ?>) group).get("rules")) {
                Map<?, ?> rule = (Map<?, ?>) r;
                String alert = (String) rule.get("alert");
                assertTrue(alerts.add(alert), "alert names are unique: " + alert);
                assertTrue(Set.of("critical", "warning", "info").contains(((Map<?, ?>) rule.get("labels")).get("severity")),
                        alert + ": severity");
                assertTrue(((Map<?, ?>) rule.get("annotations")).get("summary") instanceof String, alert + ": summary");
                Set<String> names = PromQlNames.inExpression((String) rule.get("expr"));
                assertFalse(names.isEmpty(), alert + " reads no series");
                named.addAll(names);
            }
        }
        assertExported("mtls-gateway.rules.yaml", named);
    }

    @Test
    void everyDashboardQueryReadsExportedSeries() throws Exception {
        Map<?, ?> dashboard = (Map<?, ?>) load(MONITORING.resolve("mtls-gateway-dashboard.json")).get(0);
        Set<String> named = new LinkedHashSet<>();
        Set<Object> ids = new HashSet<>();
        List<Map<?, ?>> panels = new ArrayList<>();
        for (Object p : (List<?>) dashboard.get("panels")) {
            panels.add((Map<?, ?>) p);
        }
        for (Map<?, ?> panel : panels) {
            assertTrue(ids.add(panel.get("id")), "panel ids are unique: " + panel.get("id"));
            if ("row".equals(panel.get("type"))) {
                continue;
            }
            List<?> targets = (List<?>) panel.get("targets");
            assertFalse(targets.isEmpty(), panel.get("title") + " has no query");
            for (Object t : targets) {
                named.addAll(PromQlNames.inExpression((String) ((Map<?, ?>) t).get("expr")));
            }
        }
        for (Object v : (List<?>) ((Map<?, ?>) dashboard.get("templating")).get("list")) {
            Object query = ((Map<?, ?>) v).get("query");
            if (query instanceof Map<?, ?> q) {
                named.addAll(PromQlNames.inVariableQuery((String) q.get("query")));
            }
        }
        assertTrue(named.size() > 10, "the dashboard covers requests, TLS and the process: " + named);
        assertExported("mtls-gateway-dashboard.json", named);
    }

    @Test
    void nameExtractionSkipsFunctionsLabelsAndKeywords() {
        assertEquals(Set.of("a_total", "b_count"), PromQlNames.inExpression(
                "sum by (x, y) (rate(a_total{k=\"v(w)\",le=\"1.0\"}[5m])) > 0.1 * on (i) group_left b_count offset 5m"));
        assertEquals(Set.of("m"), PromQlNames.inVariableQuery("label_values(m, instance)"));
    }

    private static void assertExported(String file, Set<String> named) {
        Set<String> missing = new TreeSet<>(named);
        missing.removeAll(exported);
        assertTrue(missing.isEmpty(), file + " names series the gateway does not export: " + missing
                + "\nexported: " + new TreeSet<>(exported));
    }

    /** Sample names of a Prometheus text scrape (histogram _bucket/_count/_sum included). */
    private static Set<String> namesIn(String scrape) {
        Set<String> names = new HashSet<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    /** YAML, or JSON (which YAML 1.2 reads too). */
    private static List<Object> load(Path file) throws Exception {
        List<Object> documents = new ArrayList<>();
        new Load(LoadSettings.builder().setLabel(file.toString()).build())
                .loadAllFromString(Files.readString(file)).forEach(documents::add);
        return documents;
    }
}
