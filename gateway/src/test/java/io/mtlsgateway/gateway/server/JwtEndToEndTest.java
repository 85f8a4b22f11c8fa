package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.JWTClaimsSet;
import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.JwksServer;
import io.mtlsgateway.gateway.testing.TestIssuer;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bearer tokens over real mTLS sockets: a generated PKI, keys made in the test, a JWKS file and a
 * JWKS URL served by a real HTTP server, a real upstream that echoes what it received.
 */
class JwtEndToEndTest {
    /** BlockHound and the stack's checks; this class starts and closes its own gateway. */
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    private static final String SPIFFE = "spiffe://test.example/ns/prod/sa/mobile-app";

    static Path dir;

    static TestPki pki;
    static EchoUpstream upstream;
    static JwksServer jwksServer;
    static GatewayServer gateway;
    static InetSocketAddress address;
    static AdminClient admin;
    static IssuedCertificate app;
    static IssuedCertificate otherApp;
    static final Map<String, TestIssuer> fileIssuers = new LinkedHashMap<>();
    static TestIssuer remoteK1;
    static TestIssuer remoteK2;

    @BeforeAll
    static void start() throws Exception {
        dir = stack.dir();
        pki = stack.pki();
        upstream = stack.keep(EchoUpstream.start(0));
        app = pki.client("mobile-app", SPIFFE);
        otherApp = pki.client("other-app", "spiffe://test.example/ns/prod/sa/other-app");
        for (String alg : List.of("ES256", "RS256", "PS256", "EdDSA")) {
            fileIssuers.put(alg, TestIssuer.create(alg, "file-" + alg));
        }
        List<TestIssuer> issuers = new ArrayList<>(fileIssuers.values());
        Files.writeString(dir.resolve("idp-jwks.json"),
                issuers.get(0).jwks(issuers.subList(1, issuers.size()).toArray(TestIssuer[]::new)));
        remoteK1 = TestIssuer.create("ES256", "remote-k1");
        remoteK2 = TestIssuer.create("ES256", "remote-k2");
        jwksServer = stack.keep(new JwksServer().serve(remoteK1.jwks()));
        Path routes = dir.resolve("routes.yaml");
        Files.writeString(routes, routeFile(jwksServer.uri().toString(), deadUrl(), true));
        gateway = stack.start(ConfigLoader.load(routes));
        address = gateway.address(GatewayFixture.LISTENER);
        admin = new AdminClient(gateway.adminAddress());
    }

    private static String deadUrl() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + probe.getLocalPort() + "/jwks.json";
        }
    }

    private static String routeFile(String remoteUrl, String deadUrl, boolean withDeadIssuer) {
        String issuer = "    issuer: " + TestIssuer.ISSUER + "\n    audiences: [" + TestIssuer.AUDIENCE + "]\n";
        return "version: 1\nworkers: 2\nadmin:\n  listen: 127.0.0.1:0\n"
                + "jwt:\n"
                + "  idp:\n" + issuer + "    jwks: { file: idp-jwks.json }\n"
                + "    claimHeaders: { X-User-Id: sub, X-Scopes: scope }\n"
                + "  remote:\n" + issuer + "    jwks: { url: \"" + remoteUrl + "\" }\n    forwardToken: false\n"
                + (withDeadIssuer ? "  nokeys:\n" + issuer + "    jwks: { url: \"" + deadUrl + "\" }\n" : "")
                + "listeners:\n"
                + "  - name: " + GatewayFixture.LISTENER + "\n"
                + "    listen: 127.0.0.1:0\n"
                + "    tls:\n"
                + "      certificate: " + pki.serverCertificate + "\n"
                + "      privateKey: " + pki.serverKey + "\n"
                + "      clientCa: " + pki.clientCaFile + "\n"
                + "    identityHeaders:\n"
                + "      X-Client-Subject: \"${subject}\"\n"
                + "      X-Caller: \"${jwt.sub} via ${spiffe}\"\n"
                + "routes:\n"
                + "  - name: payments\n    match: { pathPrefix: /payments }\n    upstream: echo\n"
                + "    jwt: { issuer: idp }\n"
                + "    allow: [{ spiffe: \"spiffe://test.example/ns/prod/*\" }]\n"
                + "    allowClaims: [{ scope: payments:write }]\n"
                + "  - name: remote\n    match: { pathPrefix: /remote }\n    upstream: echo\n    jwt: { issuer: remote }\n"
                + "  - name: optional\n    match: { pathPrefix: /optional }\n    upstream: echo\n"
                + "    jwt: { issuer: idp, required: false }\n"
                + (withDeadIssuer ? "  - name: nokeys\n    match: { pathPrefix: /nokeys }\n    upstream: echo\n"
                        + "    jwt: { issuer: nokeys }\n" : "")
                + "  - name: open\n    match: { pathPrefix: /open }\n    upstream: echo\n"
                + "upstreams:\n  echo:\n    endpoints: [127.0.0.1:" + upstream.port() + "]\n";
    }

    private static JWTClaimsSet.Builder claims(IssuedCertificate boundTo) {
        JWTClaimsSet.Builder claims = TestIssuer.validClaims().claim("scope", "payments:read payments:write");
        return boundTo == null ? claims : TestIssuer.boundTo(claims, boundTo.certificate());
    }

    private static String token(JWTClaimsSet.Builder claims) {
        return fileIssuers.get("ES256").sign(claims.build());
    }

    private static Response get(IssuedCertificate client, String path, String headers) throws Exception {
        try (TlsTestClient connection = TlsTestClient.connect(address, pki.server.root(), client)) {
            return connection.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "\r\n")
                    .readResponse();
        }
    }

    private static Response bearer(IssuedCertificate client, String path, String token) throws Exception {
        return get(client, path, "Authorization: Bearer " + token + "\r\n");
    }

    private static void assertHeader(Response response, String name, String value) {
        assertTrue(response.body().contains("\"" + name + "\": \"" + value + "\""), response.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ES256", "RS256", "PS256", "EdDSA"})
    void aBoundTokenReachesTheUpstreamWithClaimHeadersSetFromIt(String algorithm) throws Exception {
        String token = fileIssuers.get(algorithm).sign(claims(app).build());
        Response response = bearer(app, "/payments/transfer", token);
        assertEquals(200, response.status(), response.body());
        assertHeader(response, "X-User-Id", "alice");
        assertHeader(response, "X-Scopes", "payments:read payments:write");
        assertHeader(response, "X-Caller", "alice via " + SPIFFE);
        assertHeader(response, "X-Client-Subject", "CN=mobile-app,O=Test");
        assertHeader(response, "Authorization", "Bearer " + token);
    }

    @Test
    void answersEveryReasonOverTheWireWithItsChallengeAndCountsIt() throws Exception {
        TestIssuer attacker = TestIssuer.create("ES256", "file-ES256");
        TestIssuer stranger = TestIssuer.create("ES256", "stranger");
        Instant now = Instant.now();
        String hex = HexFormat.of().formatHex(TestIssuer.sha256(app.certificate()));
        record Case(String reason, String path, IssuedCertificate client, String headers, int status) {}
        List<Case> cases = List.of(
                new Case("missing", "/payments", app, "", 401),
                new Case("malformed", "/payments", app, "Authorization: Bearer not.a-token\r\n", 401),
                new Case("malformed", "/payments?access_token=" + token(claims(app)), app, "", 401),
                new Case("malformed", "/payments", app, "Authorization: Bearer " + token(claims(app))
                        + "\r\nAuthorization: Bearer " + token(claims(app)) + "\r\n", 401),
                new Case("bad_signature", "/payments", app, auth(attacker.sign(claims(app).build())), 401),
                new Case("unknown_key", "/payments", app, auth(stranger.sign(claims(app).build())), 401),
                new Case("expired", "/payments", app,
                        auth(token(claims(app).expirationTime(Date.from(now.minusSeconds(600))))), 401),
                new Case("not_yet_valid", "/payments", app,
                        auth(token(claims(app).notBeforeTime(Date.from(now.plusSeconds(600))))), 401),
                new Case("wrong_issuer", "/payments", app, auth(token(claims(app).issuer("https://evil"))), 401),
                new Case("wrong_audience", "/payments", app, auth(token(claims(app).audience("other-api"))), 401),
                new Case("unbound", "/payments", app, auth(token(claims(null))), 401),
                new Case("binding_mismatch", "/payments", app, auth(token(claims(otherApp))), 401),
                new Case("binding_mismatch", "/payments", app, auth(token(claims(null)
                        .claim("cnf", Map.of("x5t#S256", hex)))), 401),
                new Case("claims_denied", "/payments", app,
                        auth(token(claims(app).claim("scope", "payments:read"))), 403),
                new Case("jwks_unavailable", "/nokeys", app, auth(token(claims(app))), 401));
        String before = admin.scrape();
        Map<String, Integer> expected = new LinkedHashMap<>();
        for (Case c : cases) {
            Response response = get(c.client(), c.path(), c.headers());
            assertEquals(c.status(), response.status(), c.reason() + ": " + response.body());
            String challenge = response.headers().get("www-authenticate");
            String realm = c.path().startsWith("/nokeys") ? "nokeys" : "idp";
            if (c.reason().equals("missing")) {
                assertEquals("Bearer realm=\"" + realm + "\"", challenge);
            } else {
                String error = c.status() == 403 ? "insufficient_scope" : "invalid_token";
                assertTrue(challenge.startsWith("Bearer realm=\"" + realm + "\", error=\"" + error
                        + "\", error_description=\""), c.reason() + ": " + challenge);
            }
            assertEquals("no-store", response.headers().get("cache-control"));
            assertFalse(response.body().contains("eyJ"), "no token echoed: " + response.body());
            expected.merge(c.path().startsWith("/nokeys") ? "nokeys/" + c.reason() : "payments/" + c.reason(), 1,
                    Integer::sum);
        }
        String after = admin.scrape();
        expected.forEach((key, count) -> {
            String route = key.substring(0, key.indexOf('/'));
            String reason = key.substring(key.indexOf('/') + 1);
            double was = AdminClient.value(before, "mtls_gateway_jwt_rejections_total", "route", route, "reason", reason);
            double now2 = AdminClient.value(after, "mtls_gateway_jwt_rejections_total", "route", route, "reason", reason);
            assertEquals((double) count, now2 - (Double.isNaN(was) ? 0 : was), key);
        });
    }

    private static String auth(String token) {
        return "Authorization: Bearer " + token + "\r\n";
    }

    @Test
    void aStolenBoundTokenReplayedWithAnotherValidCertificateIsRefused() throws Exception {
        String token = token(claims(app));
        assertEquals(200, bearer(app, "/payments", token).status());
        Response stolen = bearer(otherApp, "/payments", token);
        assertEquals(401, stolen.status());
        assertTrue(stolen.headers().get("www-authenticate").contains("bound to another certificate"),
                stolen.headers().toString());
    }

    @Test
    void claimHeadersTheClientSentNeverReachTheUpstream() throws Exception {
        String forged = "X-User-Id: admin\r\nx_user_id: root\r\nX-SCOPES: payments:admin\r\nX-Caller: someone\r\n";
        Response open = get(app, "/open", forged);
        assertEquals(200, open.status());
        assertFalse(open.body().toLowerCase().contains("x-user-id") || open.body().toLowerCase().contains("x_user_id"),
                open.body());
        assertFalse(open.body().toLowerCase().contains("x-scopes"), open.body());
        assertFalse(open.body().contains("someone"), "the forged identity header is gone: " + open.body());
        Response paid = get(app, "/payments", forged + auth(token(claims(app))));
        assertEquals(200, paid.status());
        assertHeader(paid, "X-User-Id", "alice");
        assertFalse(paid.body().contains("admin") || paid.body().contains("root"), paid.body());
    }

    @Test
    void anOptionalTokenIsCheckedWhenPresentAndNotRequiredOtherwise() throws Exception {
        Response none = get(app, "/optional", "");
        assertEquals(200, none.status());
        assertFalse(none.body().contains("X-User-Id"), none.body());
        Response expired = bearer(app, "/optional",
                token(claims(app).expirationTime(Date.from(Instant.now().minusSeconds(600)))));
        assertEquals(401, expired.status());
        Response basic = get(app, "/optional", "Authorization: Basic dXNlcjpwdw==\r\n");
        assertEquals(200, basic.status(), "other credentials are the upstream's business");
    }

    @Test
    void aTokenClaimThatCannotBeAHeaderIsRefusedNotForwarded() throws Exception {
        Response response = bearer(app, "/payments", token(claims(app).subject("alice\r\nX-Admin: yes")));
        assertEquals(401, response.status());
    }

    @Test
    void followsAKeyRotationAtTheIdpWhileTrafficRunsAndOutlivesTheIdpGoingDown() throws Exception {
        int fetchesAtStart = jwksServer.requests();
        assertEquals(1, fetchesAtStart, "fetched once, at start");
        CountDownLatch rotated = new CountDownLatch(1);
        CountDownLatch firstServed = new CountDownLatch(1);
        AtomicReference<List<Integer>> statuses = new AtomicReference<>(new ArrayList<>());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread traffic = new Thread(() -> {
            try (TlsTestClient connection = TlsTestClient.connect(address, pki.server.root(), app)) {
                for (int i = 0; i < 20; i++) {
                    String token = remoteK1.sign(claims(app).build());
                    statuses.get().add(connection.send("GET /remote/" + i + " HTTP/1.1\r\nHost: localhost\r\n"
                            + auth(token) + "\r\n").readResponse().status());
                    if (i == 0) {
                        firstServed.countDown();
                        assertTrue(rotated.await(30, TimeUnit.SECONDS));
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        traffic.start();
        assertTrue(firstServed.await(30, TimeUnit.SECONDS));
        // The IdP publishes its next key and starts signing with it.
        jwksServer.serve(remoteK1.jwks(remoteK2));
        Response rotatedToken = bearer(app, "/remote/new", remoteK2.sign(claims(app).build()));
        rotated.countDown();
        traffic.join(60_000);
        assertEquals(null, failure.get());
        assertEquals(200, rotatedToken.status(), "the first token with the new kid waits for the refetch");
        assertFalse(rotatedToken.body().contains("Authorization"), "forwardToken: false: " + rotatedToken.body());
        assertEquals(List.of(200), statuses.get().stream().distinct().toList());
        assertEquals(2, jwksServer.requests(), "one refetch for the new kid");
        // Forged kids cost no more fetches.
        TestIssuer forged = TestIssuer.create("ES256", "forged");
        assertEquals(401, bearer(app, "/remote", forged.sign(claims(app).build())).status());
        assertEquals(2, jwksServer.requests());
        // The IdP goes down: the keys fetched last keep serving.
        jwksServer.close();
        assertEquals(200, bearer(app, "/remote", remoteK2.sign(claims(app).build())).status());
        assertEquals(200, bearer(app, "/remote", remoteK1.sign(claims(app).build())).status());
    }

    @Test
    void notReadyWhileARequiredIssuerNeverProducedKeys() throws Exception {
        assertEquals(503, admin.status("/readyz"));
        Path routes = dir.resolve("routes-ready.yaml");
        try (JwksServer other = new JwksServer().serve(remoteK1.jwks())) {
            Files.writeString(routes, routeFile(other.uri().toString(), deadUrl(), false));
            try (GatewayServer healthy = GatewayServer.start(ConfigLoader.load(routes))) {
                assertEquals(200, new AdminClient(healthy.adminAddress()).status("/readyz"));
            }
        }
    }

    @Test
    void aChangedJwksFileIsReloadedAndABrokenOneKeepsTheOldKeys() throws Exception {
        TestIssuer added = TestIssuer.create("ES256", "file-added");
        String token = added.sign(claims(app).build());
        assertEquals(401, bearer(app, "/payments", token).status());
        Path jwks = dir.resolve("idp-jwks.json");
        String before = Files.readString(jwks);

        java.util.concurrent.CompletableFuture<ReloadOutcome> broken = new java.util.concurrent.CompletableFuture<>();
        gateway.onReload(broken::complete);
        io.mtlsgateway.gateway.testing.RouteFile.replace(jwks, "{\"keys\": []}");
        ReloadOutcome refused = broken.get(60, TimeUnit.SECONDS);
        assertFalse(refused.success());
        assertTrue(refused.problems().toString().contains("no usable signing key"), refused.problems().toString());
        assertEquals(200, bearer(app, "/payments", token(claims(app))).status(), "the old keys keep serving");

        java.util.concurrent.CompletableFuture<ReloadOutcome> fixed = new java.util.concurrent.CompletableFuture<>();
        gateway.onReload(fixed::complete);
        List<TestIssuer> all = new ArrayList<>(fileIssuers.values());
        io.mtlsgateway.gateway.testing.RouteFile.replace(jwks, added.jwks(all.toArray(TestIssuer[]::new)));
        assertTrue(fixed.get(60, TimeUnit.SECONDS).success());
        assertEquals(200, bearer(app, "/payments", token).status());
        assertEquals(200, bearer(app, "/payments", token(claims(app))).status());
        assertFalse(before.isEmpty());
    }
}
