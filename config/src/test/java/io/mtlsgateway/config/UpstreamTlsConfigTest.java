package io.mtlsgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upstream {@code tls} blocks and egress ({@code tls: none}) listeners: what binds, and each problem's place. */
class UpstreamTlsConfigTest {
    @TempDir
    Path dir;

    private RouteFiles files;

    @BeforeEach
    void setUp() {
        files = new RouteFiles(dir);
        files.touch("certs/upstream-ca.pem");
        files.touch("certs/gw.pem");
        files.touch("certs/gw.key");
    }

    /** MINIMAL with {@code extra} added to upstream app (line 15 onwards, column 5). */
    private static String withUpstream(String extra) {
        return RouteFiles.MINIMAL + extra;
    }

    /** An egress listener at {@code listen} with {@code extra} listener keys (line 5 onwards, column 5). */
    private static String egress(String listen, String extra) {
        return """
                version: 1
                listeners:
                  - name: egress
                    listen: %s
                %s    tls: none
                routes:
                  - name: all
                    upstream: app
                upstreams:
                  app:
                    endpoints: [ledger.internal:8443]
                """.formatted(listen, extra);
    }

    @Test
    void bindsEveryKeyOfAnUpstreamTlsBlock() throws ConfigException {
        GatewayConfig config = files.load(withUpstream("""
                    tls:
                      ca: certs/upstream-ca.pem
                      certificate: certs/gw.pem
                      privateKey: certs/gw.key
                      serverName: ledger.internal
                      verify:
                        - spiffe: spiffe://bank.example/ns/prod/sa/ledger
                        - sanDns: ledger.internal
                      crl: [certs/ca.crl]
                      protocols: [TLSv1.3]
                """));
        UpstreamTlsConfig tls = config.upstreams().get("app").tls().orElseThrow();
        assertEquals(dir.resolve("certs/upstream-ca.pem"), tls.ca());
        assertEquals(Optional.of(dir.resolve("certs/gw.pem")), tls.certificate());
        assertTrue(tls.mutual());
        assertEquals("ledger.internal", tls.serverName().orElseThrow().dns());
        assertEquals(List.of(new AllowRule(AllowRule.Kind.SPIFFE, "spiffe://bank.example/ns/prod/sa/ledger"),
                new AllowRule(AllowRule.Kind.SAN_DNS, "ledger.internal")), tls.verify());
        assertEquals(List.of(dir.resolve("certs/ca.crl")), tls.crl());
        assertEquals(List.of(TlsProtocol.TLS_1_3), tls.protocols());
    }

    @Test
    void withoutServerNameEachEndpointHostIsTheName() throws ConfigException {
        GatewayConfig config = files.load(withUpstream("    tls: {ca: certs/upstream-ca.pem}\n"));
        UpstreamConfig app = config.upstreams().get("app");
        assertFalse(app.tls().orElseThrow().mutual());
        assertEquals(TlsBinder.DEFAULT_PROTOCOLS, app.tls().orElseThrow().protocols());
        assertTrue(app.serverName(app.endpoints().get(0)).isIp());
        assertTrue(files.load(RouteFiles.MINIMAL).upstreams().get("app").tls().isEmpty());
    }

    @Test
    void requiresTheCa() {
        files.assertOnlyProblem(withUpstream("    tls: {certificate: certs/gw.pem, privateKey: certs/gw.key}\n"),
                "15:10: upstreams.app.tls: missing key 'ca' (expected: a PEM file of CA certificates the upstream's"
                        + " certificate chains to)");
    }

    @Test
    void requiresCertificateAndKeyTogether() {
        files.assertOnlyProblem(withUpstream("    tls: {ca: certs/upstream-ca.pem, certificate: certs/gw.pem}\n"),
                "15:10: upstreams.app.tls: missing key 'privateKey' (expected: certificate and privateKey together,"
                        + " the gateway's client certificate for mutual TLS, or neither)");
    }

    @Test
    void refusesAWildcardOrMalformedServerName() {
        files.assertOnlyProblem(withUpstream("    tls: {ca: certs/upstream-ca.pem, serverName: '*.internal'}\n"),
                "15:50: upstreams.app.tls.serverName: '*.internal' is not a valid DNS name (label '*': expected"
                        + " letters, digits and '-', 1 to 63 characters, not starting or ending with '-') (expected:"
                        + " the DNS name or IP address the upstream's certificate is for; no wildcard)");
    }

    @Test
    void refusesPinsOfOtherKindsOrTwoKindsInOneItem() {
        List<ConfigProblem> problems = files.problems(withUpstream("""
                    tls:
                      ca: certs/upstream-ca.pem
                      verify:
                        - subject: CN=ledger
                        - {spiffe: 'spiffe://bank.example/x', sanDns: ledger.internal}
                        - spiffe: 'https://bank.example/x'
                """));
        List<String> shown = problems.stream().map(p -> p.line() + ":" + p.column() + ": " + p.message()).toList();
        assertEquals(List.of(
                "18:11: upstreams.app.tls.verify[0]: unknown key 'subject' (expected one of: spiffe, sanDns)",
                "19:11: upstreams.app.tls.verify[1]: expected exactly one of spiffe, sanDns per pin (write one list"
                        + " item per pin)",
                "20:19: upstreams.app.tls.verify[2].spiffe: 'https://bank.example/x' (expected:"
                        + " spiffe://trust-domain/path, or spiffe://trust-domain/* for a whole trust domain)"), shown);
    }

    @Test
    void refusesAMissingUpstreamTlsFile() {
        files.assertOnlyProblem(withUpstream("    tls: {ca: certs/nope.pem}\n"),
                "15:15: upstreams.app.tls.ca: no such file: " + dir.resolve("certs/nope.pem"));
    }

    @Test
    void anEgressListenerOnLoopbackIsPlainHttp() throws ConfigException {
        ListenerConfig listener = files.load(egress("127.0.0.1:8080", "")).listeners().get(0);
        assertTrue(listener.plaintext());
        assertTrue(files.load(egress("'[::1]:8080'", "")).listeners().get(0).plaintext());
        assertTrue(files.load(egress("localhost:8080", "")).listeners().get(0).plaintext());
    }

    @Test
    void plainHttpElsewhereNeedsAllowPlaintext() throws ConfigException {
        files.assertOnlyProblem(egress("0.0.0.0:8080", ""),
                "4:13: listeners[0].listen: plain HTTP (tls: none) on 0.0.0.0:8080, which is not a loopback address:"
                        + " anyone who reaches it calls the upstreams without a certificate (expected: 127.0.0.1 or"
                        + " [::1]; or write allowPlaintext: true to mean it)");
        assertTrue(files.load(egress("0.0.0.0:8080", "    allowPlaintext: true\n")).listeners().get(0)
                .allowPlaintext());
    }

    @Test
    void allowPlaintextOnATlsListenerIsAMistake() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("    listen: 127.0.0.1:8443\n",
                "    listen: 127.0.0.1:8443\n    allowPlaintext: true\n"),
                "5:21: listeners[0].allowPlaintext: true on a TLS listener (expected: only with tls: none, to accept"
                        + " plain HTTP on an address that is not loopback)");
    }

    @Test
    void refusesIdentityHeadersAndRfc9440OnAnEgressListener() {
        List<ConfigProblem> problems = files.problems(egress("127.0.0.1:8080",
                "    identityHeaders: {X-Client-Subject: '${subject}'}\n    rfc9440: true\n    xfcc: forward-only\n"));
        assertEquals(List.of("listeners[0].identityHeaders: not allowed with tls: none (a plain-HTTP client has no"
                        + " certificate to describe; its copies of identity headers are still stripped)",
                "listeners[0].rfc9440: true with tls: none (expected: false; a plain-HTTP client has no certificate)",
                "listeners[0].xfcc: forward-only with tls: none (expected: sanitize or sanitize-set; a plain-HTTP"
                        + " caller's X-Forwarded-Client-Cert cannot be trusted)"),
                problems.stream().map(ConfigProblem::message).toList());
    }

    @Test
    void refusesAllowRulesWhenAListenerIsPlainHttp() {
        String yaml = egress("127.0.0.1:8080", "").replace("    upstream: app\n",
                "    upstream: app\n    allow: [{spiffe: 'spiffe://bank.example/app'}]\n");
        files.assertOnlyProblem(yaml, "9:12: routes[0].allow: route 'all' has allow rules, but listener 'egress'"
                + " (line 5) takes plain HTTP (tls: none): its callers have no certificate to match (run the egress"
                + " listener in a gateway of its own, or remove the rules)");
    }

    @Test
    void requireEkuBindsOnAListener() throws ConfigException {
        String yaml = RouteFiles.MINIMAL.replace("      clientCa: certs/ca.pem\n",
                "      clientCa: certs/ca.pem\n      requireEku: true\n");
        assertTrue(files.load(yaml).listeners().get(0).tls().requireEku());
        assertFalse(files.load(RouteFiles.MINIMAL).listeners().get(0).tls().requireEku());
    }
}
