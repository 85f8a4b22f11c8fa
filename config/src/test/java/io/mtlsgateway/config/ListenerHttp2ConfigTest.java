package io.mtlsgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code listeners[].alpn} and {@code listeners[].http2}. */
class ListenerHttp2ConfigTest {
    @TempDir
    Path dir;

    private RouteFiles files;

    @BeforeEach
    void setUp() {
        files = new RouteFiles(dir);
    }

    private String withListenerKeys(String keys) {
        return RouteFiles.MINIMAL.replace("    tls:\n", keys + "    tls:\n");
    }

    @Test
    void offersH2ThenHttp11WithNginxLikeLimitsByDefault() throws ConfigException {
        ListenerConfig listener = files.load(RouteFiles.MINIMAL).listeners().get(0);
        assertEquals(List.of(ApplicationProtocol.H2, ApplicationProtocol.HTTP_1_1), listener.alpn());
        assertEquals(new Http2Limits(100, 16 * 1024, Duration.ofHours(1), 1000), listener.http2());
    }

    @Test
    void readsAlpnAndHttp2Limits() throws ConfigException {
        ListenerConfig listener = files.load(withListenerKeys("""
                    alpn: [http/1.1]
                    http2: { maxConcurrentStreams: 10, maxHeaderListSize: 8192, maxConnectionAge: 10m,
                             maxRequestsPerConnection: 50 }
                """)).listeners().get(0);
        assertEquals(List.of(ApplicationProtocol.HTTP_1_1), listener.alpn());
        assertEquals(new Http2Limits(10, 8192, Duration.ofMinutes(10), 50), listener.http2());
    }

    @Test
    void reportsEveryBadAlpnAndLimitWithItsLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> files.load(withListenerKeys("""
                    alpn: [h2, h3, h2]
                    http2: { maxConcurrentStreams: 0, streams: 5 }
                """)));
        assertEquals(4, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("'h3'"), e.getMessage());
        assertTrue(e.getMessage().contains("listed twice"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown key 'streams'"), e.getMessage());
    }

    @Test
    void refusesAnEmptyAlpnList() {
        ConfigException e = assertThrows(ConfigException.class, () -> files.load(withListenerKeys("    alpn: []\n")));
        assertTrue(e.getMessage().contains("empty list (expected: h2 and/or http/1.1)"), e.getMessage());
    }
}
