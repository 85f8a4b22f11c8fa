package io.mtlsgateway.gateway.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.config.RouteMatch;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    private static RouteConfig route(String name, String host, String prefix, Map<String, String> headers) {
        return new RouteConfig(name, new RouteMatch(Optional.ofNullable(host), Optional.ofNullable(prefix), headers),
                "up", List.of(), Optional.empty());
    }

    private static final RouteTable TABLE = RouteTable.of(List.of(
            route("canary", "api.example.com", "/pay", Map.of("X-Canary", "1")),
            route("pay", "api.example.com", "/pay", Map.of()),
            route("wild", "*.example.com", "/", Map.of()),
            route("slash", null, "/docs/", Map.of()),
            route("rest", null, null, Map.of())));

    private static String match(String host, String path, Map<String, String> headers) {
        return TABLE.match(host, path, headers::get).map(Route::name).orElse("none");
    }

    @Test
    void firstMatchWinsWithHeadersHostAndPathPrefix() {
        assertEquals("canary", match("api.example.com", "/pay/1", Map.of("X-Canary", "1")));
        assertEquals("pay", match("API.Example.com", "/pay/1", Map.of("X-Canary", "2")));
        assertEquals("pay", match("api.example.com", "/pay", Map.of()));
    }

    @Test
    void pathPrefixesMatchWholeSegmentsOnly() {
        assertEquals("wild", match("api.example.com", "/payments", Map.of()));
        assertEquals("slash", match("other.test", "/docs/x", Map.of()));
        assertEquals("rest", match("other.test", "/docs", Map.of()));
    }

    @Test
    void wildcardHostsMatchSubdomainsButNotTheBareDomain() {
        assertEquals("wild", match("a.b.example.com", "/x", Map.of()));
        assertEquals("rest", match("example.com", "/x", Map.of()));
        assertEquals("rest", match("evilexample.com", "/x", Map.of()));
    }
}
