package io.mtlsgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Pins every header-name rule in one table: the validator, the identity-header writer and
 * hop-by-hop handling read these sets, so a change here is a change of behaviour and must be
 * made on purpose (the table is printed for the reviewer).
 */
class HeaderNamesTest {
    @Test
    void theUnionOfEveryRuleIsPinned() {
        Map<String, String> table = new TreeMap<>();
        Set<String> all = new TreeSet<>();
        all.addAll(HeaderNames.HOP_BY_HOP);
        all.addAll(HeaderNames.FRAMING);
        all.addAll(HeaderNames.clientClaims());
        all.add(HeaderNames.EXPECT);
        for (String name : all) {
            table.put(name, (HeaderNames.HOP_BY_HOP.contains(name) ? "hop-by-hop " : "")
                    + (HeaderNames.FRAMING.contains(name) ? "framing " : "")
                    + (HeaderNames.SET_BY_GATEWAY.contains(name) ? "set-by-gateway " : "")
                    + (HeaderNames.OTHER_CLIENT_CLAIMS.contains(name) ? "client-claim " : "")
                    + HeaderNames.reservedReason(name).map(r -> "reserved(" + r + ")").orElse("identity-ok"));
        }
        table.forEach((name, rules) -> System.out.println("header rule: " + name + " = " + rules));
        Map<String, String> expected = new TreeMap<>(Map.ofEntries(
                Map.entry("client-cert", "set-by-gateway reserved(set by the rfc9440 setting)"),
                Map.entry("client-cert-chain", "set-by-gateway reserved(set by the rfc9440 setting)"),
                Map.entry("connection", "hop-by-hop reserved(a hop-by-hop header)"),
                Map.entry("content-length", "framing reserved(managed by the gateway)"),
                Map.entry("expect", "reserved(managed by the gateway)"),
                Map.entry("forwarded", "client-claim reserved(the gateway strips it: it makes claims about the connection)"),
                Map.entry("host", "framing reserved(managed by the gateway)"),
                Map.entry("keep-alive", "hop-by-hop reserved(a hop-by-hop header)"),
                Map.entry("proxy-authenticate", "hop-by-hop reserved(a hop-by-hop header)"),
                Map.entry("proxy-authorization", "hop-by-hop reserved(a hop-by-hop header)"),
                Map.entry("proxy-connection", "hop-by-hop reserved(a hop-by-hop header)"),
                Map.entry("te", "hop-by-hop reserved(a hop-by-hop header)"),
                Map.entry("trailer", "framing reserved(managed by the gateway)"),
                Map.entry("transfer-encoding", "hop-by-hop reserved(a hop-by-hop header)"),
                Map.entry("true-client-ip", "client-claim identity-ok"),
                Map.entry("upgrade", "hop-by-hop reserved(a hop-by-hop header)"),
                Map.entry("x-forwarded-client-cert", "set-by-gateway reserved(set by the xfcc setting)"),
                Map.entry("x-forwarded-for", "set-by-gateway reserved(the gateway sets it about the connection)"),
                Map.entry("x-forwarded-host", "set-by-gateway reserved(the gateway sets it about the connection)"),
                Map.entry("x-forwarded-port", "client-claim identity-ok"),
                Map.entry("x-forwarded-prefix", "client-claim identity-ok"),
                Map.entry("x-forwarded-proto", "set-by-gateway reserved(the gateway sets it about the connection)"),
                Map.entry("x-original-url", "client-claim identity-ok"),
                Map.entry("x-real-ip", "client-claim identity-ok"),
                Map.entry("x-rewrite-url", "client-claim identity-ok")));
        assertEquals(expected, table);
    }

    @Test
    void namesMatchIgnoringCaseAndUnderscores() {
        assertTrue(HeaderNames.isClientClaim("X_Original_URL"));
        assertTrue(HeaderNames.reservedReason("Content_Length").isPresent());
        assertFalse(HeaderNames.isClientClaim("X-Client-Subject"));
        assertEquals("x-forwarded-for", HeaderNames.canonical("X_Forwarded_For"));
    }
}
