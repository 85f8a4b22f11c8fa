package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.ConfigException;
import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.HostsPki;
import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Why a route file with a plain-HTTP listener refuses {@code allow} rules on every route: routes
 * serve every listener, chosen by the Host the client sends, and a plain-HTTP client can send any
 * Host. Only the names of host entries are out of its reach: they are served only on a TLS
 * connection verified under that entry (421 anywhere else).
 */
class PlainListenerRoutesTest {
    private static final String API = "api.bank.test";

    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    private EchoUpstream upstream;

    private Path routeFile(String apiRouteExtra) throws Exception {
        TestPki pki = stack.pki();
        HostsPki hosts = new HostsPki(pki);
        hosts.serverTls(API, ClientAuthMode.REQUIRE, pki.clientCaFile);
        upstream = stack.keep(EchoUpstream.start(0));
        Path file = stack.dir().resolve("routes.yaml");
        RouteFile.replace(file, "version: 1\nworkers: 1\nadmin:\n  listen: 127.0.0.1:0\n"
                + "listeners:\n"
                + "  - name: edge\n"
                + "    listen: 127.0.0.1:0\n"
                + "    hosts:\n"
                + "      - names: [" + API + "]\n"
                + "        tls: { certificate: " + pki.dir.resolve(API + ".pem") + ", privateKey: "
                + pki.dir.resolve(API + ".key") + ", clientCa: " + pki.clientCaFile + " }\n"
                + "    default: " + API + "\n"
                + "  - name: egress\n"
                + "    listen: 127.0.0.1:0\n"
                + "    tls: none\n"
                + "routes:\n"
                + "  - name: api\n"
                + "    match: { host: " + API + " }\n"
                + "    upstream: echo\n"
                + apiRouteExtra
                + "upstreams:\n  echo:\n    endpoints: [127.0.0.1:" + upstream.port() + "]\n");
        return file;
    }

    @Test
    void aPlainHttpCallerNeverReachesTheRouteOfAnMtlsHostByTheHostItSends() throws Exception {
        GatewayServer gateway = stack.start(ConfigLoader.load(routeFile("")), GatewayServer.FileWatching.OFF);
        InetSocketAddress egress = gateway.address("egress");
        int before = upstream.requestCount();
        for (String host : List.of(API, API.toUpperCase(java.util.Locale.ROOT) + ".:80")) {
            try (Socket socket = new Socket(egress.getAddress(), egress.getPort())) {
                socket.getOutputStream().write(("GET /payments HTTP/1.1\r\nHost: " + host
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                String status = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                assertEquals("HTTP/1.1 421 Misdirected Request", status, host + ": no certificate, no entry: misdirected");
            }
        }
        assertEquals(before, upstream.requestCount(), "nothing reached the mTLS host's upstream");
    }

    @Test
    void soAllowRulesAreRefusedOnAHostBoundRouteWithTheLineOfEach() throws Exception {
        Path file = routeFile("    allow: [{subject: \"CN=partner-app,O=Test\"}]\n");
        ConfigException refused = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertTrue(refused.getMessage().contains(file.toString()), refused.getMessage());
        assertTrue(refused.getMessage().contains("19:12: routes[0].allow: route 'api' has allow rules, but listener"
                + " 'egress' (line 14) takes plain HTTP (tls: none)"), refused.getMessage());
    }
}
