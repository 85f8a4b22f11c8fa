package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TrailerUpstream;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A request trailer may not carry what the request's meaning depends on before its body (RFC 9110
 * section 6.5.1). An upstream that merges trailers into the headers would otherwise act on a Host
 * the gateway did not route on or an Authorization it did not check: such trailers are dropped,
 * over HTTP/1.1 and h2, and the others (a checksum) go through.
 */
class RequestTrailersTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static IssuedCertificate client;

    @BeforeAll
    static void start() throws Exception {
        TrailerUpstream upstream = stack.keep(new TrailerUpstream());
        client = stack.pki().client("trailers", null);
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("api", "/api", "trailers")),
                List.of(GatewayFixture.upstream("trailers", Duration.ofSeconds(30), upstream.port()))));
    }

    /** The trailers the upstream received, as its {@code T name: value} lines, lower-cased names. */
    private static List<String> trailersSeen(String body) {
        return Arrays.stream(body.split("\n")).filter(line -> line.startsWith("T "))
                .map(line -> line.substring(2).toLowerCase(java.util.Locale.ROOT)).toList();
    }

    @Test
    void dropsTrailersThatMustBeKnownBeforeTheBodyOverHttp1() throws Exception {
        try (TlsTestClient connection = stack.connect(client)) {
            String body = connection.send("POST /api/upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked"
                    + "\r\n\r\n2\r\nhi\r\n0\r\nHost: evil.example\r\nAuthorization: Bearer forged\r\n"
                    + "Cookie: session=forged\r\nContent-Type: text/evil\r\nIf-Match: *\r\nX_Client_Subject: CN=forged\r\n"
                    + "X-Checksum: 42\r\n\r\n").readResponse().body();
            assertEquals(List.of("x-checksum: 42"), trailersSeen(body), body);
        }
    }

    @Test
    void dropsTheSameTrailersFromAnH2Request() throws Exception {
        try (H2TestClient h2 = H2TestClient.connect(stack.address(), stack.pki().server.root(), client)) {
            H2TestClient.Reply reply = h2.request(H2TestClient.head("POST", "/api/upload"), "hello",
                    new DefaultHttp2Headers().add("host", "evil.example").add("authorization", "Bearer forged")
                            .add("cookie", "a=b").add("x-checksum", "42")).get(10, TimeUnit.SECONDS);
            assertEquals(200, reply.status(), reply.body());
            assertEquals(List.of("x-checksum: 42"), trailersSeen(reply.body()), reply.body());
            assertTrue(reply.body().contains("B 5"), reply.body());
        }
    }
}
