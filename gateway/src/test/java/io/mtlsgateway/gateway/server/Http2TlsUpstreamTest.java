package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.ConnectionReuse;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.config.LoadBalancing;
import io.mtlsgateway.config.OutlierDetectionConfig;
import io.mtlsgateway.config.TlsProtocol;
import io.mtlsgateway.config.UpstreamConfig;
import io.mtlsgateway.config.UpstreamProtocol;
import io.mtlsgateway.config.UpstreamTlsConfig;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.H2Upstream;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient.Response;
import io.mtlsgateway.gateway.testing.UpstreamPki;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code protocol: h2} upstreams: HTTP/2 over the upstream TLS, with ALPN {@code h2} and the
 * gateway's client certificate, to a Netty h2 server that requires it; and an upstream that does
 * not choose h2 refused clearly (502, counted, nothing sent).
 */
class Http2TlsUpstreamTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static UpstreamPki up;
    static IssuedCertificate client;
    static SslContext h2Context;
    static SslContext http1Context;
    static H2Upstream h2;
    static H2Upstream http1Only;

    @BeforeAll
    static void start() throws Exception {
        up = new UpstreamPki(stack.dir());
        client = stack.pki().client("h2tls", null);
        h2Context = serverContext(ApplicationProtocolNames.HTTP_2);
        http1Context = serverContext(ApplicationProtocolNames.HTTP_1_1);
        h2 = stack.keep(H2Upstream.overTls(h2Context));
        http1Only = stack.keep(H2Upstream.overTls(http1Context));
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE, List.of(
                GatewayFixture.route("refused", "/refused", "refused"),
                GatewayFixture.route("tls", "/", "tls")),
                List.of(h2OverTls("tls", h2.port()), h2OverTls("refused", http1Only.port())), 1,
                HttpSettings.defaults()));
    }

    @AfterAll
    static void release() {
        ReferenceCountUtil.release(h2Context);
        ReferenceCountUtil.release(http1Context);
    }

    /** A server requiring a client certificate from the gateway's client CA, choosing only {@code protocol}. */
    private static SslContext serverContext(String protocol) throws Exception {
        return SslContextBuilder.forServer(up.server.privateKey(),
                        up.server.chainWithoutRoot().toArray(X509Certificate[]::new))
                .sslProvider(SslProvider.OPENSSL_REFCNT)
                .trustManager(up.gatewayClientCa.certificate())
                .clientAuth(ClientAuth.REQUIRE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, protocol))
                .build();
    }

    private static UpstreamConfig h2OverTls(String name, int port) {
        UpstreamTlsConfig tls = new UpstreamTlsConfig(up.upstreamCaFile, Optional.of(up.clientCertificate),
                Optional.of(up.clientKey), Optional.empty(), List.of(), List.of(),
                List.of(TlsProtocol.TLS_1_3, TlsProtocol.TLS_1_2));
        return new UpstreamConfig(name, GatewayFixture.endpoints(port), Duration.ofSeconds(5), Duration.ofSeconds(20),
                UpstreamConfig.DEFAULT_IDLE_TIMEOUT, 16, Optional.empty(), LoadBalancing.ROUND_ROBIN, 16,
                OutlierDetectionConfig.defaults(), ConnectionReuse.SAFE, Optional.of(tls), UpstreamProtocol.H2);
    }

    @Test
    void anH2ClientReachesAnH2UpstreamOverMutualTls() throws Exception {
        try (H2TestClient connection = H2TestClient.connect(stack.address(), stack.pki().server.root(), client)) {
            H2TestClient.Reply reply = connection.request(H2TestClient.head("POST", "/over-tls")
                    .add("x-want-trailers", "yes"), "abc", new DefaultHttp2Headers().add("x-client-trailer", "t3"))
                    .get(10, TimeUnit.SECONDS);
            assertEquals(200, reply.status());
            assertEquals("path=/over-tls body=3", reply.body());
            assertEquals("t3", reply.trailers().get("x-trailer-echo").toString());
        }
        H2Upstream.Request seen = h2.requests().stream()
                .filter(r -> r.headers().path().toString().equals("/over-tls")).findFirst().orElseThrow();
        Map<String, String> head = H2Upstream.flat(seen.headers());
        assertEquals("https", head.get(":scheme"), "the scheme of the upstream connection, which is TLS");
        assertEquals("CN=h2tls,O=Test", head.get("x-client-subject"));
    }

    @Test
    void anHttp1ClientReachesAnH2UpstreamOverMutualTlsOnPooledStreams() throws Exception {
        int before = h2.connections();
        try (TlsTestClient connection = stack.connect(client)) {
            for (int i = 0; i < 5; i++) {
                Response response = connection.send("GET /pooled/" + i + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                        .readResponse();
                assertEquals(200, response.status());
                assertEquals("path=/pooled/" + i + " body=0", response.body());
            }
        }
        assertTrue(h2.connections() - before <= 1, "the requests share one upstream connection");
    }

    @Test
    void anUpstreamThatDoesNotChooseH2IsRefusedWith502AndCounted() throws Exception {
        double before = errors("refused", "tls_no_h2");
        try (TlsTestClient connection = stack.connect(client)) {
            Response response = connection.send("GET /refused/x HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse();
            assertEquals(502, response.status());
            assertTrue(response.body().contains("upstream_tls_no_h2"), response.body());
        }
        assertEquals(before + 1, errors("refused", "tls_no_h2"));
        assertEquals(0, http1Only.requests().size(), "nothing was sent");
    }

    private static double errors(String upstream, String kind) throws Exception {
        double value = AdminClient.value(new AdminClient(stack.gateway().adminAddress()).scrape(),
                "mtls_gateway_upstream_errors_total", "upstream", upstream, "kind", kind);
        return Double.isNaN(value) ? 0 : value;
    }
}
