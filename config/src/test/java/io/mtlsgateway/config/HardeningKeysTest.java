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
}
