package io.mtlsgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code upstreams.<name>.protocol}: http1 by default, h2c cleartext, h2 only over the upstream's tls. */
class UpstreamProtocolConfigTest {
    @TempDir
    Path dir;

    private RouteFiles files;

    @BeforeEach
    void setUp() {
        files = new RouteFiles(dir);
        files.touch("certs/upstream-ca.pem");
    }

    private UpstreamProtocol protocolOf(String extra) throws ConfigException {
        return files.load(RouteFiles.MINIMAL + extra).upstreams().get("app").protocol();
    }

    @Test
    void isHttp1UnlessSaidOtherwise() throws ConfigException {
        assertEquals(UpstreamProtocol.HTTP1, protocolOf(""));
        assertEquals(UpstreamProtocol.HTTP1, protocolOf("    protocol: http1\n"));
    }

    @Test
    void readsH2cAndH2OverTls() throws ConfigException {
        assertEquals(UpstreamProtocol.H2C, protocolOf("    protocol: h2c\n"));
        assertEquals(UpstreamProtocol.H2,
                protocolOf("    protocol: h2\n    tls: {ca: certs/upstream-ca.pem, serverName: app.internal}\n"));
    }

    @Test
    void suggestsTheProtocolNearestToAMisspelling() {
        files.assertOnlyProblem(RouteFiles.MINIMAL + "    protocol: http2\n",
                "15:15: upstreams.app.protocol: 'http2' (did you mean 'http1'? expected: one of http1, h2c, h2)");
    }

    @Test
    void refusesH2WithoutTlsAtTheProtocolKey() {
        files.assertOnlyProblem(RouteFiles.MINIMAL + "    protocol: h2\n",
                "15:15: upstreams.app.protocol: protocol h2 is HTTP/2 over TLS and needs a tls block"
                        + " (for cleartext HTTP/2 use h2c)");
    }

    @Test
    void refusesH2cWithTlsAtTheProtocolKey() {
        files.assertOnlyProblem(RouteFiles.MINIMAL
                        + "    protocol: h2c\n    tls: {ca: certs/upstream-ca.pem, serverName: app.internal}\n",
                "15:15: upstreams.app.protocol: protocol h2c is cleartext HTTP/2 and cannot go with a tls block"
                        + " (for HTTP/2 over TLS use h2)");
    }
}
