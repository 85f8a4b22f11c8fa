package io.mtlsgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per kind of problem, each asserting the exact {@code file:line:column: message}. */
class ConfigLoaderProblemsTest {
    @TempDir
    Path dir;

    private RouteFiles files;

    @BeforeEach
    void setUp() {
        files = new RouteFiles(dir);
    }

    /** MINIMAL with {@code extra} added to the tls section (line 9 onwards, column 7). */
    private static String withTls(String extra) {
        return RouteFiles.MINIMAL.replace("      clientCa: certs/ca.pem\n", "      clientCa: certs/ca.pem\n" + extra);
    }

    /** MINIMAL with {@code extra} added to the route (line 12 onwards, column 5). */
    private static String withRoute(String extra) {
        return RouteFiles.MINIMAL.replace("    upstream: app\n", "    upstream: app\n" + extra);
    }

    @Test
    void reportsUnknownKeyAtItsOwnLineAndColumnWithTheNearestKnownKey() {
        files.assertOnlyProblem(withTls("      verifyDepht: 4\n"),
                "9:7: listeners[0].tls: unknown key 'verifyDepht' (did you mean 'verifyDepth'?)");
    }

    @Test
    void listsTheKnownKeysWhenAnUnknownKeyIsNoNearMiss() {
        files.assertOnlyProblem("version: 1\nlogging: debug\n" + RouteFiles.MINIMAL.substring("version: 1\n".length()),
                "2:1: unknown key 'logging' (expected one of: version, workers, transport, admin, drainTimeout, "
                        + "accessLog, listeners, jwt, routes, upstreams)");
    }

    @Test
    void reportsARepeatedYamlKeyAtItsSecondOccurrence() {
        files.assertOnlyProblem("version: 1\nworkers: 2\nworkers: 4\n" + RouteFiles.MINIMAL.substring(11),
                "3:1: workers: duplicate key (first at line 2)");
    }

    @Test
    void reportsAMissingRequiredKeyAtTheMappingThatLacksIt() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("    listen: 127.0.0.1:8443\n", ""),
                "3:5: listeners[0]: missing key 'listen' (expected: host:port such as 0.0.0.0:8443)");
    }

    @Test
    void reportsAMissingVersion() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.substring("version: 1\n".length()),
                "1:1: missing key 'version' (expected: version: 1)");
    }

    @Test
    void rejectsAnySchemaVersionButOne() {
        files.assertOnlyProblem("version: 2\nsomethingNew: true\n",
                "1:10: version: 2 (expected: 1, the only route file schema this gateway reads)");
    }

    @Test
    void reportsAWrongTypeAtTheValue() {
        String tlsBlock = RouteFiles.MINIMAL.substring(
                RouteFiles.MINIMAL.indexOf("    tls:\n"), RouteFiles.MINIMAL.indexOf("routes:"));
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace(tlsBlock, "    tls: [a, b]\n"),
                "5:10: listeners[0].tls: a list (expected: a mapping)");
    }

    @Test
    void rejectsYamlOneOneBooleansSuchAsYes() {
        files.assertOnlyProblem(withTls("      sessionTickets: yes\n"),
                "9:23: listeners[0].tls.sessionTickets: 'yes' (expected: true or false)");
    }

    @Test
    void rejectsAQuotedNumberWhereAnIntegerIsExpected() {
        files.assertOnlyProblem(withTls("      verifyDepth: \"4\"\n"),
                "9:20: listeners[0].tls.verifyDepth: '4' (expected: an integer)");
    }

    @Test
    void rejectsAnIntegerOutOfRangeWithTheAllowedRange() {
        files.assertOnlyProblem(withTls("      verifyDepth: 17\n"),
                "9:20: listeners[0].tls.verifyDepth: 17 (expected: 0..16)");
    }

    @Test
    void rejectsANumberTooLargeForAnyIntegerWithoutOverflowing() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("version: 1\n", "version: 1\nworkers: 99999999999999999999\n"),
                "2:10: workers: 99999999999999999999 (expected: > 0)");
    }

    @Test
    void rejectsZeroMaxConnectionsPerEndpoint() {
        files.assertOnlyProblem(RouteFiles.MINIMAL + "    maxConnectionsPerEndpoint: 0\n",
                "15:32: upstreams.app.maxConnectionsPerEndpoint: 0 (expected: > 0)");
    }

    @Test
    void suggestsTheLoadBalancingPolicyNearestToAMisspelling() {
        files.assertOnlyProblem(RouteFiles.MINIMAL + "    loadBalancing: least-outstandng\n",
                "15:20: upstreams.app.loadBalancing: 'least-outstandng' (did you mean 'least-outstanding'? expected: one of round-robin, least-outstanding)");
    }

    @Test
    void rejectsAMaxEjectionShorterThanTheBaseEjection() {
        files.assertOnlyProblem(RouteFiles.MINIMAL + "    outlierDetection: { baseEjection: 1m, maxEjection: 10s }\n",
                "15:23: upstreams.app.outlierDetection: maxEjection: PT10S (expected: >= baseEjection PT1M)");
    }

    @Test
    void rejectsAnUnknownKeyInTheListenersHttpSettings() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("    tls:\n", "    http: { maxHeaderCont: 10 }\n    tls:\n"),
                "5:13: listeners[0].http: unknown key 'maxHeaderCont' (did you mean 'maxHeaderCount'?)");
    }

    @Test
    void reportsABadDurationWithTheAcceptedForms() {
        files.assertOnlyProblem(RouteFiles.MINIMAL + "    connectTimeout: 2 seconds\n",
                "15:21: upstreams.app.connectTimeout: bad duration '2 seconds' "
                        + "(expected: a whole number and a unit: 500ms, 2s, 5m, 1h)");
    }

    @Test
    void rejectsAZeroDuration() {
        files.assertOnlyProblem(RouteFiles.MINIMAL + "    idleTimeout: 0ms\n",
                "15:18: upstreams.app.idleTimeout: 0ms (expected: > 0)");
    }

    @Test
    void reportsAHostPortWithoutAPort() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("listen: 127.0.0.1:8443", "listen: localhost"),
                "4:13: listeners[0].listen: 'localhost' has no port (expected: host:port, IPv6 in brackets as [::1]:8443)");
    }

    @Test
    void asksForBracketsAroundAnIpv6Address() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("[127.0.0.1:8080]", "[\"::1:8080\"]"),
                "14:17: upstreams.app.endpoints[0]: '::1:8080' (expected: an IPv6 address in brackets, as [::1]:8443)");
    }

    @Test
    void rejectsAPortAbove65535() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("listen: 127.0.0.1:8443", "listen: 127.0.0.1:70000"),
                "4:13: listeners[0].listen: '127.0.0.1:70000' has a bad port (expected: 0..65535)");
    }

    @Test
    void reportsAnUnknownUpstreamListingTheKnownOnes() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("upstream: app", "upstream: ap"),
                "11:15: routes[0].upstream: unknown upstream 'ap' (did you mean 'app'? expected: one of app)");
    }

    @Test
    void saysSoWhenARouteNamesAnUpstreamButNoneIsDefined() {
        String yaml = RouteFiles.MINIMAL.substring(0, RouteFiles.MINIMAL.indexOf("upstreams:"));
        files.assertOnlyProblem(yaml, "11:15: routes[0].upstream: unknown upstream 'app' "
                + "(expected: an upstream defined under upstreams; none is)");
    }

    @Test
    void doesNotCallEveryUpstreamUnknownWhenTheUpstreamsSectionIsBroken() {
        String yaml = RouteFiles.MINIMAL.substring(0, RouteFiles.MINIMAL.indexOf("upstreams:")) + "upstreams: [app]\n";
        files.assertOnlyProblem(yaml, "12:12: upstreams: a list (expected: a mapping)");
    }

    @Test
    void reportsDuplicateListenerNamesAtTheSecond() {
        String yaml = RouteFiles.MINIMAL.replace("routes:\n", """
                  - name: edge
                    listen: 127.0.0.1:8444
                    tls: { certificate: certs/server.pem, privateKey: certs/server.key, clientAuth: none }
                routes:
                """);
        files.assertOnlyProblem(yaml, "9:11: listeners[1].name: duplicate listener name 'edge' (first at line 3)");
    }

    @Test
    void reportsDuplicateRouteNamesAtTheSecond() {
        files.assertOnlyProblem(withRoute("  - name: all\n    upstream: app\n"),
                "12:11: routes[1].name: duplicate route name 'all' (first at line 10)");
    }

    @Test
    void reportsTwoListenersOnTheSameAddress() {
        String yaml = RouteFiles.MINIMAL.replace("routes:\n", """
                  - name: second
                    listen: 127.0.0.1:8443
                    tls: { certificate: certs/server.pem, privateKey: certs/server.key, clientAuth: none }
                routes:
                """);
        files.assertOnlyProblem(yaml,
                "10:13: listeners[1].listen: 127.0.0.1:8443 is already the address of listener 'edge' (line 4)");
    }

    @Test
    void reportsAListenerOnTheDefaultAdminAddress() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("listen: 127.0.0.1:8443", "listen: 127.0.0.1:9901"),
                "4:13: listeners[0].listen: 127.0.0.1:9901 is already the address of the admin endpoint (default)");
    }

    @Test
    void rejectsAFingerprintThatIsNot64HexDigits() {
        files.assertOnlyProblem(withRoute("    allow:\n      - fingerprint: 8f43288ad272\n"),
                "13:22: routes[0].allow[0].fingerprint: '8f43288ad272' "
                        + "(expected: the SHA-256 fingerprint as 64 hex digits, colons between pairs allowed)");
    }

    @Test
    void rejectsASpiffeValueThatIsNotASpiffeUri() {
        files.assertOnlyProblem(withRoute("    allow:\n      - spiffe: https://bank.example/app\n"),
                "13:17: routes[0].allow[0].spiffe: 'https://bank.example/app' "
                        + "(expected: spiffe://trust-domain/path, or spiffe://trust-domain/* for a whole trust domain)");
    }

    @Test
    void rejectsASubjectThatIsNotADistinguishedName() {
        files.assertOnlyProblem(withRoute("    allow:\n      - subject: mobile app\n"),
                "13:18: routes[0].allow[0].subject: 'mobile app' (expected '=' after 'mobile' at character 8; "
                        + "expected: an RFC 4514 distinguished name such as CN=client,O=Example)");
    }

    @Test
    void rejectsAnEmptyAllowListAndSaysToRemoveIt() {
        files.assertOnlyProblem(withRoute("    allow: []\n"),
                "12:12: routes[0].allow: empty list allows nobody (remove 'allow' to allow any verified client)");
    }

    @Test
    void rejectsAnAllowEntryWithTwoKeys() {
        files.assertOnlyProblem(withRoute("    allow:\n      - { sanDns: a.example, subject: \"CN=a\" }\n"),
                "13:9: routes[0].allow[0]: 2 keys (expected: exactly one of spiffe, subject, sanDns, fingerprint; "
                        + "write each rule as its own list item)");
    }

    @Test
    void rejectsAnAllowEntryWithNoKey() {
        files.assertOnlyProblem(withRoute("    allow:\n      - {}\n"),
                "13:9: routes[0].allow[0]: 0 keys (expected: exactly one of spiffe, subject, sanDns, fingerprint; "
                        + "write each rule as its own list item)");
    }

    @Test
    void reportsAMisspeltAllowKindOnceAsAnUnknownKey() {
        files.assertOnlyProblem(withRoute("    allow:\n      - spifee: spiffe://a/b\n"),
                "13:9: routes[0].allow[0]: unknown key 'spifee' (did you mean 'spiffe'?)");
    }

    @Test
    void reportsAMissingFileAtTheNodeNamingItWithItsAbsolutePath() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("certs/ca.pem", "certs/nope.pem"),
                "8:17: listeners[0].tls.clientCa: no such file: " + dir.toAbsolutePath().resolve("certs/nope.pem"));
    }

    @Test
    void reportsAMissingCrlEntryAtTheEntry() {
        files.assertOnlyProblem(withTls("      crl: [certs/ca.crl, gone.crl]\n"),
                "9:27: listeners[0].tls.crl[1]: no such file: " + dir.toAbsolutePath().resolve("gone.crl"));
    }

    @Test
    void reportsAFolderWhereAFileIsExpected() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("certs/server.pem", "certs"),
                "6:20: listeners[0].tls.certificate: not a regular file: " + dir.toAbsolutePath().resolve("certs"));
    }

    @Test
    void reportsAFileThatCannotBeRead() throws Exception {
        Path key = files.touch("certs/server.key");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(key), "running as root: every file is readable");

        files.assertOnlyProblem(RouteFiles.MINIMAL,
                "7:19: listeners[0].tls.privateKey: file not readable: " + key.toAbsolutePath());
    }

    @Test
    void rejectsTlsVersionsBelow12() {
        files.assertOnlyProblem(withTls("      protocols: [TLSv1.3, TLSv1.1]\n"),
                "9:28: listeners[0].tls.protocols[1]: 'TLSv1.1' is not allowed (TLS 1.2+ only; expected: TLSv1.3, TLSv1.2)");
    }

    @Test
    void requiresClientCaUnlessClientAuthIsNone() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("      clientCa: certs/ca.pem\n", "      clientAuth: optional\n"),
                "6:7: listeners[0].tls: missing key 'clientCa' "
                        + "(expected: a PEM file of client trust anchors; required unless clientAuth is none)");
    }

    @Test
    void suggestsTheRightSpellingOfAnEnumValue() {
        files.assertOnlyProblem(withTls("      ocsp: soft_fail\n"),
                "9:13: listeners[0].tls.ocsp: 'soft_fail' (did you mean 'soft-fail'? expected: one of off, soft-fail, hard-fail)");
    }

    @Test
    void rejectsIdentityHeadersTheGatewayOwns() {
        String yaml = RouteFiles.MINIMAL.replace("routes:\n", """
                    identityHeaders:
                      Host: "${subject}"
                      x_forwarded_client_cert: "${cert}"
                      Connection: "${serial}"
                      Client-Cert: "${cert}"
                routes:
                """);
        List<String> problems = files.problems(yaml).stream().map(ConfigProblem::toString).toList();
        assertEquals(List.of(
                files.file + ":10:7: listeners[0].identityHeaders.Host: 'Host' cannot be an identity header "
                        + "(managed by the gateway)",
                files.file + ":11:7: listeners[0].identityHeaders.x_forwarded_client_cert: 'x_forwarded_client_cert' "
                        + "cannot be an identity header (set by the xfcc setting)",
                files.file + ":12:7: listeners[0].identityHeaders.Connection: 'Connection' cannot be an identity header "
                        + "(a hop-by-hop header)",
                files.file + ":13:7: listeners[0].identityHeaders.Client-Cert: 'Client-Cert' cannot be an identity "
                        + "header (set by the rfc9440 setting)"), problems);
    }

    @Test
    void refusesARouteThatMatchesOnAHeaderAnyClientCanForge() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("    upstream: app\n",
                        "    match: { headers: { X-Forwarded-Client-Cert: x } }\n    upstream: app\n"),
                "11:25: routes[0].match.headers.X-Forwarded-Client-Cert: a route cannot match on "
                        + "X-Forwarded-Client-Cert: routes are matched on what the client sent, and any client can "
                        + "send this header (use 'allow' to select by identity)");
    }

    @Test
    void refusesARouteThatMatchesOnAConfiguredIdentityHeader() {
        String yaml = RouteFiles.MINIMAL
                .replace("routes:\n", "    identityHeaders:\n      X-Client-Subject: \"${subject}\"\nroutes:\n")
                .replace("    upstream: app\n", "    match: { headers: { x_client_subject: CN=admin } }\n    upstream: app\n");
        files.assertOnlyProblem(yaml, "13:25: routes[0].match.headers.x_client_subject: a route cannot match on "
                + "x_client_subject: it is an identity header, which routes see as the client sent it, before the "
                + "gateway replaces it (use 'allow' to select by identity)");
    }

    @Test
    void rejectsAnIdentityHeaderNameThatIsNotAnHttpToken() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("routes:\n",
                        "    identityHeaders:\n      \"X-Client Subject\": \"${subject}\"\nroutes:\n"),
                "10:7: listeners[0].identityHeaders.X-Client Subject: not a valid header name "
                        + "(expected: letters, digits and !#$%&'*+-.^_`|~ only)");
    }

    @Test
    void rejectsTwoIdentityHeadersTheGatewayWouldTreatAsOne() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("routes:\n",
                        "    identityHeaders:\n      X-Client: \"${subject}\"\n      x_client: \"${spiffe}\"\nroutes:\n"),
                "11:7: listeners[0].identityHeaders.x_client: same header as the one at line 10 "
                        + "(header names ignore case, and '_' counts as '-')");
    }

    @Test
    void reportsAnUnknownTemplateVariableAtTheTemplate() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("routes:\n",
                        "    identityHeaders:\n      X-Client: \"${subjct}\"\nroutes:\n"),
                "10:17: listeners[0].identityHeaders.X-Client: unknown template variable '${subjct}' (expected one of: "
                        + "cert, fingerprint, issuer, notAfter, notBefore, sanDns, sanEmail, sanUri, serial, spiffe, "
                        + "subject, or jwt.CLAIM)");
    }

    @Test
    void requiresRewritePrefixAndPathPrefixToStartWithASlash() {
        List<String> problems = files.problems(withRoute("    match: { pathPrefix: api }\n    rewritePrefix: v2/\n"))
                .stream().map(ConfigProblem::toString).toList();
        assertEquals(List.of(
                files.file + ":12:26: routes[0].match.pathPrefix: 'api' (expected: starts with /)",
                files.file + ":13:20: routes[0].rewritePrefix: 'v2/' (expected: starts with /)"), problems);
    }

    @Test
    void requiresAtLeastOneListener() {
        files.assertOnlyProblem("version: 1\nlisteners: []\n",
                "2:12: listeners: empty list (expected: at least one listener)");
    }

    @Test
    void treatsAKeyWithNoValueAsAnError() {
        files.assertOnlyProblem(RouteFiles.MINIMAL + "    healthCheck:\n",
                "15:17: upstreams.app.healthCheck: empty (expected: a mapping)");
    }

    @Test
    void reportsEveryProblemOfAFileAtOnceInFileOrder() {
        String yaml = """
                version: 1
                workers: many
                listeners:
                  - name: edge
                    listen: 127.0.0.1:8443
                    tls:
                      certificate: certs/missing.pem
                      privateKey: certs/server.key
                      clientCa: certs/ca.pem
                      sessionTickets: on
                routes:
                  - name: a
                    upstream: nowhere
                upstreams:
                  app:
                    endpoints: [127.0.0.1:8080]
                    responseTimeout: 30
                """;

        List<ConfigProblem> problems = files.problems(yaml);

        assertEquals(List.of("2:10", "7:20", "10:23", "13:15", "17:22"),
                problems.stream().map(p -> p.line() + ":" + p.column()).toList());
        assertEquals(List.of(
                "workers: 'many' (expected: an integer)",
                "listeners[0].tls.certificate: no such file: " + dir.toAbsolutePath().resolve("certs/missing.pem"),
                "listeners[0].tls.sessionTickets: 'on' (expected: true or false)",
                "routes[0].upstream: unknown upstream 'nowhere' (expected: one of app)",
                "upstreams.app.responseTimeout: bad duration '30' (expected: a whole number and a unit: 500ms, 2s, 5m, 1h)"),
                problems.stream().map(ConfigProblem::message).toList());
    }

    @Test
    void turnsARecordInvariantIntoAProblemAtTheNode() {
        Problems problems = new Problems("f.yaml");
        YamlNode node = YamlNode.root(YamlComposer.compose("f.yaml", "a: [x]\n", problems).orElseThrow(), problems)
                .freeMapping().orElseThrow().get("a").orElseThrow();

        var result = problems.construct(node, () -> new HostPort("", 1));

        assertEquals(java.util.Optional.empty(), result);
        assertEquals(List.of(new ConfigProblem("f.yaml", 1, 4, "a: host: empty (expected: a name or an IP address)")),
                problems.exception().problems());
    }

    @Test
    void refusesTicketKeysOnAListenerWithoutTickets() {
        files.assertOnlyProblem(withTls("      sessionTickets: false\n      sessionTicketKeys: [certs/ca.pem]\n"),
                "10:26: listeners[0].tls.sessionTicketKeys: ticket keys for a listener with sessionTickets: false"
                        + " (expected: remove one of the two)");
    }

    @Test
    void reportsAMissingTicketKeyFile() {
        files.assertOnlyProblem(withTls("      sessionTicketKeys: certs/ticket.key\n"),
                "9:26: listeners[0].tls.sessionTicketKeys: no such file: " + dir.resolve("certs/ticket.key"));
    }
}
