package io.mtlsgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouteShadowingTest {
    private static RouteConfig route(String name, String host, String pathPrefix, Map<String, String> headers) {
        return new RouteConfig(name, new RouteMatch(Optional.ofNullable(host), Optional.ofNullable(pathPrefix), headers),
                "app", List.of(), Optional.empty());
    }

    @Test
    void warnsAboutARouteBehindACatchAll() {
        List<String> warnings = RouteShadowing.warnings(List.of(
                route("all", null, null, Map.of()), route("api", "api.example.com", "/api", Map.of())));

        assertEquals(List.of("routes[1] 'api' can never match: routes[0] 'all' (earlier) matches every request it would"),
                warnings);
    }

    @Test
    void warnsAboutALongerPrefixBehindAShorterOneOnTheSameSegmentBoundary() {
        assertEquals(1, RouteShadowing.warnings(List.of(
                route("api", null, "/api", Map.of()), route("v1", null, "/api/v1", Map.of()))).size());
        assertEquals(List.of(), RouteShadowing.warnings(List.of(
                route("api", null, "/api", Map.of()), route("apix", null, "/apix", Map.of()))));
    }

    @Test
    void treatsAWildcardHostAsCoveringItsSubdomainsButNotTheBareDomain() {
        assertEquals(1, RouteShadowing.warnings(List.of(
                route("any", "*.example.com", null, Map.of()), route("api", "API.example.com", null, Map.of()))).size());
        assertEquals(1, RouteShadowing.warnings(List.of(
                route("any", "*.example.com", null, Map.of()), route("deep", "*.api.example.com", null, Map.of())))
                .size());
        assertEquals(List.of(), RouteShadowing.warnings(List.of(
                route("any", "*.example.com", null, Map.of()), route("bare", "example.com", null, Map.of()))));
    }

    @Test
    void aHeaderConditionOnTheEarlierRouteLeavesRoomForTheLaterOne() {
        assertEquals(List.of(), RouteShadowing.warnings(List.of(
                route("canary", null, "/api", Map.of("X-Canary", "1")), route("api", null, "/api", Map.of()))));
        assertEquals(1, RouteShadowing.warnings(List.of(
                route("api", null, "/api", Map.of()), route("canary", null, "/api", Map.of("x-canary", "1")))).size());
    }

    @Test
    void reportsEachShadowedRouteOnceInFileOrder() {
        List<String> warnings = RouteShadowing.warnings(List.of(
                route("all", null, null, Map.of()), route("a", null, "/a", Map.of()), route("b", null, "/b", Map.of())));

        assertEquals(2, warnings.size());
        assertEquals(true, warnings.get(0).startsWith("routes[1] 'a'"));
        assertEquals(true, warnings.get(1).startsWith("routes[2] 'b'"));
    }
}
