package io.mtlsgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys added against slow clients, shared upstream connections and floods (issue 9). */
class HardeningKeysTest {
    @TempDir
    Path dir;

    private RouteFiles files;

    @BeforeEach
    void setUp() {
        files = new RouteFiles(dir);
    }

    private static String withHttp(String http) {
        return RouteFiles.MINIMAL.replace("      clientCa: certs/ca.pem\n",
                "      clientCa: certs/ca.pem\n    http: " + http + "\n");
    }

    @Test
    void reusesUpstreamConnectionsSafelyUnlessToldAlways() throws ConfigException {
        assertEquals(ConnectionReuse.SAFE, files.load(RouteFiles.MINIMAL).upstreams().get("app").reuse());
        assertEquals(ConnectionReuse.ALWAYS,
                files.load(RouteFiles.MINIMAL + "    reuse: always\n").upstreams().get("app").reuse());
    }

    @Test
    void suggestsTheReuseModeNearestToAMisspelling() {
        files.assertOnlyProblem(RouteFiles.MINIMAL + "    reuse: alway\n",
                "15:12: upstreams.app.reuse: 'alway' (did you mean 'always'? expected: one of safe, always)");
    }

    @Test
    void readsTheRequestBodyTimeoutAndMinimumRate() throws ConfigException {
        HttpSettings defaults = files.load(RouteFiles.MINIMAL).listeners().get(0).http();
        assertEquals(Duration.ofSeconds(60), defaults.bodyReadTimeout());
        assertEquals(500, defaults.minBodyRate());
        HttpSettings set = files.load(withHttp("{ bodyReadTimeout: 15s, minBodyRate: 0 }")).listeners().get(0).http();
        assertEquals(Duration.ofSeconds(15), set.bodyReadTimeout());
        assertEquals(0, set.minBodyRate());
    }

    @Test
    void refusesANegativeMinimumBodyRate() {
        files.assertOnlyProblem(withHttp("{ minBodyRate: -1 }"),
                "9:26: listeners[0].http.minBodyRate: -1 (expected: >= 0)");
    }

    @Test
    void readsEveryTierOfListenerAndRouteLimits() throws ConfigException {
        String yaml = RouteFiles.MINIMAL.replace("      clientCa: certs/ca.pem\n", """
                      clientCa: certs/ca.pem
                    limits:
                      perSource:
                        handshakesPerSecond: 20
                        concurrentHandshakes: 5
                        penalty: { failures: 3, base: 2s, max: 1m }
                        ipv6Prefix: 56
                      perIdentity: { requestsPerSecond: 100, burst: 300, connections: 10, inFlight: 50 }
                      anonymous: { requestsPerSecond: 5 }
                      maxTracked: 5000
                      maxConnections: 20000
                """).replace("    upstream: app\n", """
                    upstream: app
                    limits:
                      perIdentity: { requestsPerSecond: 2, inFlight: 1 }
                """);
        GatewayConfig config = files.load(yaml);
        LimitsConfig limits = config.listeners().get(0).limits();
        assertEquals(new SourceLimits(20, 5, java.util.Optional.of(new PenaltyConfig(3, Duration.ofSeconds(2),
                Duration.ofMinutes(1))), 32, 56), limits.perSource().orElseThrow());
        assertEquals(new RequestLimits(100, 300, 10, 50), limits.perIdentity().orElseThrow());
        assertEquals(new RequestLimits(5, 5, 0, 0), limits.anonymous().orElseThrow(), "burst defaults to the rate");
        assertEquals(5000, limits.maxTracked());
        assertEquals(20000, limits.maxConnections());
        assertEquals(new RequestLimits(2, 2, 0, 1), config.routes().get(0).limits().perIdentity().orElseThrow());
        assertEquals(LimitsConfig.NONE, files.load(RouteFiles.MINIMAL).listeners().get(0).limits());
    }

    @Test
    void refusesAListenerConnectionCapBelowOne() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("      clientCa: certs/ca.pem\n",
                "      clientCa: certs/ca.pem\n    limits: { maxConnections: 0 }\n"),
                "9:31: listeners[0].limits.maxConnections: 0 (expected: 1..10000000)");
    }

    @Test
    void refusesAConnectionCapOnARoute() {
        files.assertOnlyProblem(RouteFiles.MINIMAL.replace("    upstream: app\n",
                "    upstream: app\n    limits: { perIdentity: { connections: 3 } }\n"),
                "12:30: routes[0].limits.perIdentity: unknown key 'connections' (expected one of: requestsPerSecond, "
                        + "burst, inFlight)");
    }
}
