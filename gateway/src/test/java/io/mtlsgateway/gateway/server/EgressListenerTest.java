package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.testing.TlsUpstream;
import io.mtlsgateway.gateway.testing.UpstreamPki;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Egress sidecar mode end to end: a legacy application speaks plain HTTP to the gateway on
 * loopback, and the gateway carries the call to a remote API that requires mutual TLS.
 */
class EgressListenerTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static UpstreamPki up;
    static TlsUpstream remote;
    static GatewayServer gateway;

    @BeforeAll
    static void start() throws Exception {
        up = new UpstreamPki(stack.dir());
        remote = stack.keep(TlsUpstream.start(up.server, List.of(up.gatewayClientCa.certificate()), false));
        Path routeFile = stack.dir().resolve("routes.yaml");
        Files.writeString(routeFile, "version: 1\nadmin:\n  listen: 127.0.0.1:0\n"
                + "listeners:\n  - name: egress\n    listen: 127.0.0.1:0\n    tls: none\n"
                + "routes:\n  - name: remote\n    upstream: ledger\n"
                + "upstreams:\n  ledger:\n    endpoints: [localhost:" + remote.port() + "]\n" + up.tlsBlock(""));
        gateway = stack.start(ConfigLoader.load(routeFile));
    }

    /** One plain HTTP/1.1 exchange on a new connection; returns the whole response. */
    private static String plainHttp(String request) throws Exception {
        InetSocketAddress address = gateway.address("egress");
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            in.transferTo(response);
            return response.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void carriesAPlainHttpCallToTheRemoteApiOverMutualTls() throws Exception {
        String response = plainHttp("GET /accounts/7 HTTP/1.1\r\nHost: ledger\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200 "), response);
        assertTrue(response.contains("client=CN=gateway-client,O=Test"), response);
    }

    @Test
    void stripsIdentityHeadersTheLocalCallerSends() throws Exception {
        int before = remote.heads().size();
        String response = plainHttp("GET /x HTTP/1.1\r\nHost: ledger\r\nConnection: close\r\n"
                + "X-Forwarded-Client-Cert: By=spiffe://evil;Subject=\"CN=admin\"\r\n"
                + "Client-Cert: :Zm9yZ2Vk:\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200 "), response);
        Map<String, String> head = remote.heads().get(before);
        assertFalse(head.containsKey("x-forwarded-client-cert"), head.toString());
        assertFalse(head.containsKey("client-cert"), head.toString());
    }
}
