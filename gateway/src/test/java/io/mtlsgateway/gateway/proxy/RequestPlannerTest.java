package io.mtlsgateway.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.AllowRule;
import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.config.RouteMatch;
import io.mtlsgateway.gateway.identity.PeerIdentity;
import io.mtlsgateway.gateway.jwt.TokenPolicies;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.routing.RouteTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The planner alone: request heads in, plans out; no channel, no socket. */
class RequestPlannerTest {
    static PeerIdentity mobile;
    static PeerIdentity stranger;

    private final RequestPlanner planner = new RequestPlanner(RouteTable.of(List.of(
            new RouteConfig("payments", new RouteMatch(Optional.empty(), Optional.of("/payments"), Map.of()),
                    "payments", List.of(new AllowRule(AllowRule.Kind.SUBJECT, "CN=Mobile,O=Bank")), Optional.of("/v1")),
            new RouteConfig("open", new RouteMatch(Optional.empty(), Optional.of("/open"), Map.of()), "open",
                    List.of(), Optional.empty()))), 100);

    @BeforeAll
    static void identities() {
        IssuedCertificate ca = new CertificateBuilder().subject("CN=CA").ca(-1).selfSigned();
        mobile = PeerIdentity.of(List.of(new CertificateBuilder().subject("CN=Mobile,O=Bank").forClient()
                .signedBy(ca).certificate()));
        stranger = PeerIdentity.of(List.of(new CertificateBuilder().subject("CN=Stranger").forClient()
                .signedBy(ca).certificate()));
    }

    private static RequestHead get(String target, String... headerPairs) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Host", List.of("api.example.com"));
        for (int i = 0; i < headerPairs.length; i += 2) {
            headers.put(headerPairs[i], List.of(headerPairs[i + 1]));
        }
        return new RequestHead("GET", target, 1, 1, RequestHead.DecodeFailure.NONE,
                RequestHead.Headers.of(headers), false, 0, true);
    }

    @Test
    void forwardsAnAllowedCallerWithTheNormalisedRewrittenTarget() {
        RequestPlan.Forward forward = assertInstanceOf(RequestPlan.Forward.class,
                planner.plan(get("/payments/./a/../b?x=1"), mobile));
        assertEquals("payments", forward.route().name());
        assertEquals("/v1/b?x=1", forward.target());
        assertFalse(forward.upgrade());
        assertFalse(forward.expectContinue());
    }

    @Test
    void refusesACallerTheRouteDoesNotAllowNamingTheRoute() {
        RequestPlan.Reject reject = assertInstanceOf(RequestPlan.Reject.class,
                planner.plan(get("/payments/x"), stranger));
        assertEquals(ProxyError.FORBIDDEN, reject.error());
        assertEquals("payments", reject.route().orElseThrow().name());
        assertFalse(reject.mustClose());
    }

    @Test
    void aDotSegmentCannotClimbIntoARouteTheCallerIsNotAllowedOn() {
        RequestPlan.Reject reject = assertInstanceOf(RequestPlan.Reject.class,
                planner.plan(get("/open/../payments/x"), stranger));
        assertEquals(ProxyError.FORBIDDEN, reject.error());
    }

    @Test
    void answersNoRouteWithoutClosing() {
        RequestPlan.Reject reject = assertInstanceOf(RequestPlan.Reject.class, planner.plan(get("/elsewhere"), mobile));
        assertEquals(ProxyError.NO_ROUTE, reject.error());
        assertTrue(reject.route().isEmpty());
        assertFalse(reject.mustClose());
    }

    @Test
    void framingProblemsCloseTheConnection() {
        RequestHead malformed = new RequestHead("GET", "/open", 1, 1, RequestHead.DecodeFailure.MALFORMED,
                RequestHead.Headers.of(Map.of()), false, 0, true);
        RequestPlan.Reject reject = assertInstanceOf(RequestPlan.Reject.class, planner.plan(malformed, mobile));
        assertEquals(ProxyError.MALFORMED_REQUEST, reject.error());
        assertTrue(reject.mustClose());
        RequestHead twoHosts = new RequestHead("GET", "/open", 1, 1, RequestHead.DecodeFailure.NONE,
                RequestHead.Headers.of(Map.of("Host", List.of("a", "b"))), false, 0, true);
        assertEquals(ProxyError.BAD_HOST, ((RequestPlan.Reject) planner.plan(twoHosts, mobile)).error());
        RequestHead trace = new RequestHead("TRACE", "/open", 1, 1, RequestHead.DecodeFailure.NONE,
                RequestHead.Headers.of(Map.of("Host", List.of("a"))), false, 0, true);
        assertEquals(ProxyError.METHOD_NOT_ALLOWED, ((RequestPlan.Reject) planner.plan(trace, mobile)).error());
    }

    @Test
    void anUnknownExpectationFailsAndContinueIsInvitedOnlyAfterAuthorization() {
        assertEquals(ProxyError.EXPECTATION_FAILED,
                ((RequestPlan.Reject) planner.plan(get("/open", "Expect", "magic"), mobile)).error());
        assertTrue(((RequestPlan.Forward) planner.plan(get("/open", "Expect", "100-continue"), mobile))
                .expectContinue());
        assertEquals(ProxyError.FORBIDDEN,
                ((RequestPlan.Reject) planner.plan(get("/payments", "Expect", "100-continue"), stranger)).error());
    }

    @Test
    void refusesAnUpgradeToAnUpstreamThatSpeaksHttp2() {
        RequestPlanner toH2c = new RequestPlanner(RouteTable.of(List.of(
                new RouteConfig("open", new RouteMatch(Optional.empty(), Optional.of("/open"), Map.of()), "open",
                        List.of(), Optional.empty()))), 100, TokenPolicies.NONE, Optional.empty(), Set.of("open"));
        RequestPlan plan = toH2c.plan(get("/open", "Connection", "Upgrade", "Upgrade", "websocket"), mobile);
        assertEquals(ProxyError.UPGRADE_NOT_SUPPORTED, ((RequestPlan.Reject) plan).error());
        assertEquals("open", ((RequestPlan.Reject) plan).route().orElseThrow().name());
        assertFalse(((RequestPlan.Forward) toH2c.plan(get("/open"), mobile)).upgrade());
    }

    @Test
    void relaysAWebSocketUpgradeButNeverH2c() {
        assertTrue(((RequestPlan.Forward) planner.plan(
                get("/open", "Connection", "keep-alive, Upgrade", "Upgrade", "websocket"), mobile)).upgrade());
        assertFalse(((RequestPlan.Forward) planner.plan(
                get("/open", "Connection", "Upgrade", "Upgrade", "h2c"), mobile)).upgrade());
        assertFalse(((RequestPlan.Forward) planner.plan(get("/open", "Upgrade", "websocket"), mobile)).upgrade());
    }

    @Test
    void tooManyHeadersIs431() {
        RequestPlanner strict = new RequestPlanner(RouteTable.of(List.of()), 1);
        RequestPlan.Reject reject = (RequestPlan.Reject) strict.plan(get("/open", "A", "1"), mobile);
        assertEquals(ProxyError.TOO_MANY_HEADERS, reject.error());
        assertEquals(431, reject.error().status());
    }
}
