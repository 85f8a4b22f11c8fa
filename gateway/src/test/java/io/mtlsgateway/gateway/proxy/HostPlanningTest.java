package io.mtlsgateway.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.ClientCertRequirement;
import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.config.RouteMatch;
import io.mtlsgateway.gateway.identity.PeerIdentity;
import io.mtlsgateway.gateway.jwt.TokenPolicies;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.routing.RouteTable;
import io.mtlsgateway.gateway.vhost.HostNameTable;
import io.mtlsgateway.gateway.vhost.HostScope;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The planner on a connection bound to one host entry: the 421 rule and clientCert per route. */
class HostPlanningTest {
    private static final HostNameTable TABLE = new HostNameTable(
            List.of(List.of("api.example.com"), List.of("open.example.com")), OptionalInt.of(0));
    private static final RouteTable ROUTES = RouteTable.of(List.of(
            route("public", "/public", ClientCertRequirement.OPTIONAL),
            route("account", "/account", ClientCertRequirement.REQUIRED)));
    static PeerIdentity client;

    @BeforeAll
    static void identity() {
        IssuedCertificate ca = new CertificateBuilder().subject("CN=CA").ca(-1).selfSigned();
        client = PeerIdentity.of(List.of(new CertificateBuilder().subject("CN=App").forClient().signedBy(ca)
                .certificate()));
    }

    private static RouteConfig route(String name, String prefix, ClientCertRequirement clientCert) {
        return new RouteConfig(name, new RouteMatch(Optional.empty(), Optional.of(prefix), Map.of()), "up",
                List.of(), Optional.empty(), Optional.empty(), List.of(), clientCert);
    }

    private static RequestPlanner planner(int entry, ClientAuthMode clientAuth) {
        String label = entry == 0 ? "api.example.com" : "open.example.com";
        return new RequestPlanner(ROUTES, 100, TokenPolicies.NONE,
                Optional.of(new HostScope(label, TABLE, entry, clientAuth)));
    }

    private static RequestHead get(String host, String target) {
        return new RequestHead("GET", target, 1, 1, RequestHead.DecodeFailure.NONE,
                RequestHead.Headers.of(Map.of("Host", List.of(host))), false, 0, true);
    }

    @Test
    void aHostOfAnotherEntryIsMisdirectedBeforeAnyRouteIsConsidered() {
        RequestPlan.Reject reject = assertInstanceOf(RequestPlan.Reject.class,
                planner(1, ClientAuthMode.OPTIONAL).plan(get("api.example.com", "/public/x"), null));
        assertEquals(ProxyError.MISDIRECTED_REQUEST, reject.error());
        assertEquals(421, reject.error().status());
        assertEquals(Optional.empty(), reject.route());
        assertFalse(reject.mustClose(), "the connection is still good for its own names");
    }

    @Test
    void aHostOfNoEntryIsMisdirectedToo() {
        RequestPlan.Reject reject = assertInstanceOf(RequestPlan.Reject.class,
                planner(0, ClientAuthMode.REQUIRE).plan(get("elsewhere.example.com", "/account"), client));
        assertEquals(ProxyError.MISDIRECTED_REQUEST, reject.error());
    }

    @Test
    void thePortOfTheHostDoesNotMatter() {
        assertInstanceOf(RequestPlan.Forward.class,
                planner(0, ClientAuthMode.REQUIRE).plan(get("API.example.com:8443", "/account"), client));
    }

    @Test
    void aListenerWithoutHostsKeepsItsOptionalClientAuthAsBefore() {
        // No host scope: clientCert does not apply, a route without allow rules serves anyone.
        RequestPlanner plain = new RequestPlanner(ROUTES, 100, TokenPolicies.NONE, Optional.empty());
        assertInstanceOf(RequestPlan.Forward.class, plain.plan(get("api.example.com", "/account"), null));
    }

    @Test
    void withoutACertificateAnOptionalHostServesPublicRoutesOnly() {
        RequestPlanner open = planner(1, ClientAuthMode.OPTIONAL);
        assertInstanceOf(RequestPlan.Forward.class, open.plan(get("open.example.com", "/public/rates"), null));
        RequestPlan.Reject reject = assertInstanceOf(RequestPlan.Reject.class,
                open.plan(get("open.example.com", "/account"), null));
        assertEquals(ProxyError.CLIENT_CERTIFICATE_REQUIRED, reject.error());
        assertEquals(403, reject.error().status());
        assertEquals("account", reject.route().orElseThrow().name());
        assertInstanceOf(RequestPlan.Forward.class, open.plan(get("open.example.com", "/account"), client));
    }
}
