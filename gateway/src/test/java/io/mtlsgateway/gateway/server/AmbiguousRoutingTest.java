package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.AllowRule;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.config.RouteMatch;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.ScriptedUpstream;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Requests the gateway would route one way and an upstream serve another are refused before
 * authorization. Servlet containers read {@code /admin;x/secret} as {@code /admin/secret} (segment
 * parameters removed before matching) while the prefix {@code /admin} does not match the segment
 * {@code admin;x}: a path whose two readings pick different routes is 400. A header a route matches
 * on, sent twice, is 400 too: routes read the first value, some upstreams the last.
 */
class AmbiguousRoutingTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static final List<String> targets = new CopyOnWriteArrayList<>();
    static IssuedCertificate partner;
    static IssuedCertificate admin;

    @BeforeAll
    static void start() throws Exception {
        partner = stack.pki().client("partner-app", null);
        admin = stack.pki().client("admin-app", null);
        ScriptedUpstream upstream = stack.keep(ScriptedUpstream.start(c -> {
            for (String head; (head = c.readHead()) != null; ) {
                targets.add(head.substring(0, head.indexOf('\r')));
                c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        }));
        RouteConfig adminRoute = new RouteConfig("admin", new RouteMatch(Optional.empty(), Optional.of("/admin"),
                Map.of()), "app", List.of(new AllowRule(AllowRule.Kind.SUBJECT, "CN=admin-app,O=Test")),
                Optional.empty());
        RouteConfig bankTenant = new RouteConfig("bank-tenant", new RouteMatch(Optional.empty(),
                Optional.of("/tenant"), Map.of("X-Tenant", "bank")), "app",
                List.of(new AllowRule(AllowRule.Kind.SUBJECT, "CN=admin-app,O=Test")), Optional.empty());
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(adminRoute, bankTenant, GatewayFixture.route("all", "/", "app")),
                List.of(GatewayFixture.upstream("app", Duration.ofSeconds(20), upstream.port()))));
    }

    private static Response get(IssuedCertificate client, String target) throws Exception {
        return get(client, target, "");
    }

    private static Response get(IssuedCertificate client, String target, String headers) throws Exception {
        try (TlsTestClient connection = stack.connect(client)) {
            return connection.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "\r\n")
                    .readResponse();
        }
    }

    @Test
    void refusesAPathWhoseSegmentParametersHideTheRouteItWouldReachOnAServletUpstream() throws Exception {
        targets.clear();
        assertEquals(403, get(partner, "/admin/secret").status(), "the admin route refuses the partner");
        for (String hidden : List.of("/admin;x/secret", "/admin;/secret", "/admin;jsessionid=1")) {
            Response response = get(partner, hidden);
            assertEquals(400, response.status(), hidden + ": " + response.body());
            assertTrue(response.body().contains("bad_path"), response.body());
        }
        assertEquals(List.of(), targets, "nothing reached the upstream");
    }

    @Test
    void forwardsParametersThatLeaveTheRouteAsItIs() throws Exception {
        targets.clear();
        assertEquals(200, get(partner, "/shop;jsessionid=1/cart").status());
        assertEquals(200, get(admin, "/admin/users;v=2").status());
        assertEquals(List.of("GET /shop;jsessionid=1/cart HTTP/1.1", "GET /admin/users;v=2 HTTP/1.1"), targets,
                "forwarded as sent");
    }

    @Test
    void refusesARepeatedHeaderThatARouteMatchesOn() throws Exception {
        targets.clear();
        assertEquals(403, get(partner, "/tenant/x", "X-Tenant: bank\r\n").status(), "the bank route refuses");
        // Its first value misses the bank route, so the catch-all would take it; an upstream reading the
        // last value (PHP behind FastCGI) would serve the bank tenant.
        Response response = get(partner, "/tenant/x", "X-Tenant: other\r\nx-tenant: bank\r\n");
        assertEquals(400, response.status(), response.body());
        assertTrue(response.body().contains("ambiguous_header"), response.body());
        assertEquals(200, get(partner, "/tenant/x", "X-Tenant: other\r\nX-Other: 1\r\nX-Other: 2\r\n").status(),
                "a header no route matches on may repeat");
        assertEquals(List.of("GET /tenant/x HTTP/1.1"), targets);
    }
}
