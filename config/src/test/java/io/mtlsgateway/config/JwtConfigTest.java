package io.mtlsgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The top-level {@code jwt} mapping and the routes' {@code jwt} and {@code allowClaims}. */
class JwtConfigTest {
    @TempDir
    Path dir;

    private RouteFiles files;

    @BeforeEach
    void setUp() {
        files = new RouteFiles(dir);
        files.touch("certs/idp-jwks.json");
    }

    /** MINIMAL with a jwt section (issuer body from line 11) before routes, and {@code route} added to the route. */
    private static String withJwt(String issuerBody, String route) {
        String jwt = "jwt:\n  bank-idp:\n" + issuerBody;
        return RouteFiles.MINIMAL
                .replace("routes:\n", jwt + "routes:\n")
                .replace("    upstream: app\n", "    upstream: app\n" + route);
    }

    private static final String ISSUER = """
                issuer: https://idp.bank.example
                audiences: [payments-api]
                jwks: { file: certs/idp-jwks.json }
            """;

    @Test
    void bindsEveryIssuerKeyAndTheRouteKeys() throws ConfigException {
        GatewayConfig config = files.load(withJwt("""
                    issuer: https://idp.bank.example
                    audiences: [payments-api, ledger]
                    jwks: { url: "https://idp.bank.example/.well-known/jwks.json", maxStale: 2h }
                    algorithms: [ES256, RS256]
                    clockSkew: 30s
                    certificateBound: if-present
                    claimHeaders: { X-User-Id: sub, X-Scopes: scope }
                    typ: at+jwt
                    maxTokenSize: 4096
                    forwardToken: false
                """, """
                    jwt: { issuer: bank-idp, required: false }
                    allowClaims:
                      - { scope: payments:write }
                      - { amr: [hwk, pin], acr: high }
                """));
        JwtIssuerConfig issuer = config.jwt().get("bank-idp");
        assertEquals(new JwtIssuerConfig("bank-idp", "https://idp.bank.example", List.of("payments-api", "ledger"),
                new JwksSource.Url(URI.create("https://idp.bank.example/.well-known/jwks.json"), Duration.ofHours(2)),
                List.of("ES256", "RS256"), Duration.ofSeconds(30), CertificateBinding.IF_PRESENT,
                Map.of("X-User-Id", "sub", "X-Scopes", "scope"), Optional.of("at+jwt"), 4096, false), issuer);
        assertEquals(List.of("X-User-Id", "X-Scopes"), List.copyOf(issuer.claimHeaders().keySet()));
        RouteConfig route = config.routes().get(0);
        assertEquals(Optional.of(new RouteJwt("bank-idp", false)), route.jwt());
        assertEquals(List.of(new ClaimRule(Map.of("scope", List.of("payments:write"))),
                new ClaimRule(Map.of("amr", List.of("hwk", "pin"), "acr", List.of("high")))), route.allowClaims());
    }

    @Test
    void defaultsFollowTheIssue() throws ConfigException {
        GatewayConfig config = files.load(withJwt(ISSUER, "    jwt: { issuer: bank-idp }\n"));
        JwtIssuerConfig issuer = config.jwt().get("bank-idp");
        assertEquals(new JwksSource.File(dir.resolve("certs/idp-jwks.json").toAbsolutePath().normalize()), issuer.jwks());
        assertEquals(List.of("ES256", "RS256", "PS256", "EdDSA"), issuer.algorithms());
        assertEquals(Duration.ofSeconds(60), issuer.clockSkew());
        assertEquals(CertificateBinding.REQUIRED, issuer.certificateBound());
        assertEquals(8192, issuer.maxTokenSize());
        assertTrue(issuer.forwardToken());
        assertEquals(Optional.empty(), issuer.typ());
        assertEquals(Optional.of(new RouteJwt("bank-idp", true)), config.routes().get(0).jwt());
        assertEquals(List.of(), config.routes().get(0).allowClaims());
    }

    @Test
    void aFileWithoutJwtHasNoIssuersAndRoutesAskForNoToken() throws ConfigException {
        GatewayConfig config = files.load(RouteFiles.MINIMAL);
        assertEquals(Map.of(), config.jwt());
        assertEquals(Optional.empty(), config.routes().get(0).jwt());
    }

    @Test
    void reportsAnUnknownIssuerReferenceWithTheNearestName() {
        files.assertOnlyProblem(withJwt(ISSUER, "    jwt: { issuer: bank-ipd }\n"),
                "17:20: routes[0].jwt.issuer: unknown jwt issuer 'bank-ipd' (did you mean 'bank-idp'? "
                        + "expected: one of bank-idp)");
    }

    @Test
    void reportsAnIssuerReferenceWhenNoIssuerIsDefined() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("    upstream: app\n", "    upstream: app\n    jwt: { issuer: idp }\n"),
                "12:20: routes[0].jwt.issuer: unknown jwt issuer 'idp' (expected: an issuer defined under the "
                        + "top-level jwt mapping; none is)");
    }

    @Test
    void refusesHmacAndNoneAndSuggestsForTypos() {
        List<String> problems = files.problems(withJwt(ISSUER + "    algorithms: [HS256, none, ES257, ES256, ES256]\n", ""))
                .stream().map(ConfigProblem::toString).toList();
        String all = "one of ES256, ES384, ES512, RS256, RS384, RS512, PS256, PS384, PS512, EdDSA";
        assertEquals(List.of(
                files.file + ":14:18: jwt.bank-idp.algorithms[0]: 'HS256' is HMAC, a shared secret the gateway never"
                        + " holds: tokens are verified with the issuer's public keys (expected: " + all + ")",
                files.file + ":14:25: jwt.bank-idp.algorithms[1]: 'none' is an unsigned token, never accepted"
                        + " (expected: " + all + ")",
                files.file + ":14:31: jwt.bank-idp.algorithms[2]: 'ES257' (did you mean 'ES256'? expected: " + all + ")",
                files.file + ":14:45: jwt.bank-idp.algorithms[4]: 'ES256' is listed twice"), problems);
    }

    @Test
    void refusesClaimHeadersThatCollideWithReservedOrClientClaimHeaders() {
        List<String> problems = files.problems(withJwt(ISSUER
                + "    claimHeaders: { Host: sub, X-Forwarded-For: sub, authorization: sub, X-User: sub, x_user: sub }\n",
                "")).stream().map(ConfigProblem::toString).toList();
        assertEquals(List.of(
                files.file + ":14:21: jwt.bank-idp.claimHeaders.Host: 'Host' cannot be a claim header (managed by the gateway)",
                files.file + ":14:32: jwt.bank-idp.claimHeaders.X-Forwarded-For: 'X-Forwarded-For' cannot be a claim"
                        + " header (the gateway sets it about the connection)",
                files.file + ":14:54: jwt.bank-idp.claimHeaders.authorization: 'authorization' cannot be a claim"
                        + " header (it carries the token itself; see forwardToken)",
                files.file + ":14:87: jwt.bank-idp.claimHeaders.x_user: same header as the one at line 14"
                        + " (header names ignore case, and '_' counts as '-')"), problems);
    }

    @Test
    void refusesAClaimHeaderThatIsAlsoAnIdentityHeader() {
        String yaml = withJwt(ISSUER + "    claimHeaders: { x-client-subject: sub }\n", "").replace(
                "      clientCa: certs/ca.pem\n", "      clientCa: certs/ca.pem\n    identityHeaders: { X-Client-Subject: \"${subject}\" }\n");
        files.assertOnlyProblem(yaml, "15:21: jwt.bank-idp.claimHeaders.x-client-subject: 'x-client-subject' is also an"
                + " identity header of a listener (expected: a name of its own; the gateway sets both kinds)");
    }

    @Test
    void refusesARouteMatchOnAClaimHeader() {
        files.assertOnlyProblem(withJwt(ISSUER + "    claimHeaders: { X-User-Id: sub }\n",
                        "    match: { headers: { x_user_id: alice } }\n"),
                "18:25: routes[0].match.headers.x_user_id: a route cannot match on x_user_id: it is a claim header,"
                        + " which routes see as the client sent it, before the gateway replaces it"
                        + " (use 'allowClaims' to select by token)");
    }

    @Test
    void refusesAPlainHttpJwksUrlUnlessLoopback() throws ConfigException {
        files.assertOnlyProblem(withJwt(ISSUER.replace("{ file: certs/idp-jwks.json }", "{ url: \"http://idp.example/jwks\" }"), ""),
                "13:18: jwt.bank-idp.jwks.url: 'http://idp.example/jwks' is plain HTTP (expected: https://; anyone"
                        + " on the path could replace the keys; plain http is accepted only from a loopback address)");
        GatewayConfig config = files.load(withJwt(
                ISSUER.replace("{ file: certs/idp-jwks.json }", "{ url: \"http://127.0.0.1:8081/jwks\" }"), ""));
        assertEquals(new JwksSource.Url(URI.create("http://127.0.0.1:8081/jwks"), Duration.ofHours(24)),
                config.jwt().get("bank-idp").jwks());
    }

    @Test
    void refusesAJwksWithBothOrNeitherSource() {
        files.assertOnlyProblem(withJwt(ISSUER.replace("{ file: certs/idp-jwks.json }",
                        "{ file: certs/idp-jwks.json, url: \"https://idp/jwks\" }"), ""),
                "13:11: jwt.bank-idp.jwks: both 'file' and 'url' (expected: one of them)");
        files.assertOnlyProblem(withJwt(ISSUER.replace("{ file: certs/idp-jwks.json }", "{ maxStale: 1h }"), ""),
                "13:11: jwt.bank-idp.jwks: neither 'file' nor 'url' (expected: { file: PATH } or { url: https://... })");
    }

    @Test
    void reportsAMissingJwksFile() {
        files.assertOnlyProblem(withJwt(ISSUER.replace("idp-jwks.json", "gone.json"), ""),
                "13:19: jwt.bank-idp.jwks.file: no such file: " + dir.resolve("certs/gone.json").toAbsolutePath());
    }

    @Test
    void refusesAllowClaimsOnARouteWithoutJwt() {
        files.assertOnlyProblem(withJwt(ISSUER, "    allowClaims: [{ scope: read }]\n"),
                "17:18: routes[0].allowClaims: needs a token to judge (expected: jwt: { issuer: NAME } on this route)");
    }

    @Test
    void refusesAnUnknownCertificateBoundModeAndAHugeSkew() {
        List<String> problems = files.problems(withJwt(ISSUER + "    certificateBound: requried\n    clockSkew: 1h\n", ""))
                .stream().map(ConfigProblem::toString).toList();
        assertEquals(List.of(
                files.file + ":14:23: jwt.bank-idp.certificateBound: 'requried' (did you mean 'required'? expected:"
                        + " one of required, if-present, off)",
                files.file + ":15:16: jwt.bank-idp.clockSkew: 1h (expected: at most 10m; fix the clocks instead)"),
                problems);
    }

    @Test
    void reportsMissingIssuerKeys() {
        files.assertOnlyProblem(withJwt("    jwks: { file: certs/idp-jwks.json }\n    audiences: a\n", ""),
                "11:5: jwt.bank-idp: missing key 'issuer' (expected: the exact 'iss' of the tokens, such as"
                        + " https://idp.example)");
    }

    @Test
    void identityHeaderTemplatesMayNameTokenClaims() throws ConfigException {
        String yaml = withJwt(ISSUER, "    jwt: { issuer: bank-idp }\n").replace("      clientCa: certs/ca.pem\n",
                "      clientCa: certs/ca.pem\n    identityHeaders: { X-Caller: \"${spiffe} as ${jwt.sub} (${jwt.client_id})\" }\n");
        IdentityTemplate template = files.load(yaml).listeners().get(0).identityHeaders().get("X-Caller");
        assertEquals(List.of("sub", "client_id"), template.claims());
        files.assertOnlyProblem(yaml.replace("${jwt.sub}", "${jwt.a b}"),
                "9:34: listeners[0].identityHeaders.X-Caller: bad claim name in '${jwt.a b}' (expected: ${jwt.NAME},"
                        + " NAME of letters, digits, '_', ':' or '-')");
    }
}
