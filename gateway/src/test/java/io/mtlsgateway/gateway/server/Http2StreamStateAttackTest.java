package io.mtlsgateway.gateway.server;

import static io.mtlsgateway.gateway.testing.RawH2Connection.DATA;
import static io.mtlsgateway.gateway.testing.RawH2Connection.END_HEADERS;
import static io.mtlsgateway.gateway.testing.RawH2Connection.END_STREAM;
import static io.mtlsgateway.gateway.testing.RawH2Connection.GOAWAY;
import static io.mtlsgateway.gateway.testing.RawH2Connection.HEADERS;
import static io.mtlsgateway.gateway.testing.RawH2Connection.RST_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.RawH2Connection;
import io.mtlsgateway.gateway.testing.TrailerUpstream;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client with a valid certificate driving a stream's state by hand, over raw frames: frames
 * no well-behaved client sends on an open, answered or ended stream. Each must leave the
 * connection serving, hold no buffer (leak detection is PARANOID), and never reach the upstream
 * as anything but the one request the stream made. A guard for the h2 stream path, which serves
 * streams straight from the frame codec.
 */
class Http2StreamStateAttackTest {
    /** A frame type RFC 9113 section 4.1 says a receiver must ignore. */
    private static final int UNKNOWN_TYPE = 0x2a;

    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static TrailerUpstream upstream;
    static IssuedCertificate client;

    @BeforeAll
    static void start() throws Exception {
        upstream = stack.keep(new TrailerUpstream());
        client = stack.pki().client("attacker", "spiffe://test.example/ns/prod/sa/attacker");
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("api", "/api", "trailers")),
                List.of(GatewayFixture.upstream("trailers", Duration.ofSeconds(30), upstream.port()))));
    }

    private static RawH2Connection raw() throws Exception {
        return RawH2Connection.connect(stack.address(), stack.pki().server.root(), client);
    }

    @Test
    void anUnknownFrameTypeOnAnOpenStreamIsIgnored() throws Exception {
        try (RawH2Connection h2 = raw()) {
            h2.frame(HEADERS, END_HEADERS, 1, h2.encode(H2TestClient.head("POST", "/api/unknown-frame")))
                    .frame(UNKNOWN_TYPE, 0, 1, "sixteen bytes!!!".getBytes(StandardCharsets.US_ASCII))
                    .frame(DATA, END_STREAM, 1, "abc".getBytes(StandardCharsets.US_ASCII)).flush();
            String answer = h2.answer(1);
            assertTrue(answer.startsWith("200\n"), "an unknown frame type is ignored (RFC 9113 4.1): " + answer);
            assertTrue(answer.contains("B 3\n"), answer);
        }
    }

    @Test
    void trailersCarryingARequestHeadAreNotASecondRequest() throws Exception {
        try (RawH2Connection h2 = raw()) {
            byte[] head = h2.encode(H2TestClient.head("POST", "/api/first"));
            byte[] smuggled = h2.encode(H2TestClient.head("GET", "/api/smuggled"));
            h2.frame(HEADERS, END_HEADERS, 1, head)
                    .frame(DATA, 0, 1, "abc".getBytes(StandardCharsets.US_ASCII))
                    .frame(HEADERS, END_HEADERS | END_STREAM, 1, smuggled).flush();
            String answer = h2.answer(1);
            assertFalse(answer.contains("/api/smuggled"), "trailers with pseudo-headers became a request: " + answer);
            assertEquals(0, upstream.requestsWithPath("/api/smuggled"));
            // The connection serves on.
            h2.frame(HEADERS, END_HEADERS | END_STREAM, 3, h2.encode(H2TestClient.head("GET", "/api/next"))).flush();
            assertTrue(h2.answer(3).startsWith("200\n"));
        }
    }

    @Test
    void identityAndTranslationNamesInTrailersNeverReachTheUpstream() throws Exception {
        try (RawH2Connection h2 = raw()) {
            DefaultHttp2Headers trailers = new DefaultHttp2Headers();
            trailers.add("x-client-subject", "CN=admin").add("x-client-spiffe-id", "spiffe://test.example/admin")
                    .add("x-forwarded-client-cert", "By=spiffe://x;Hash=00").add("x-http2-stream-id", "7")
                    .add("x-http2-scheme", "http").add("x-fine", "kept");
            h2.frame(HEADERS, END_HEADERS, 1, h2.encode(H2TestClient.head("POST", "/api/trailers")))
                    .frame(DATA, 0, 1, "abc".getBytes(StandardCharsets.US_ASCII))
                    .frame(HEADERS, END_HEADERS | END_STREAM, 1, h2.encode(trailers)).flush();
            String answer = h2.answer(1);
            assertTrue(answer.startsWith("200\n"), answer);
            assertTrue(answer.contains("T x-fine: kept"), answer);
            for (String forged : List.of("T x-client-subject", "T x-client-spiffe-id", "T x-forwarded-client-cert",
                    "T x-http2-", "CN=admin", "spiffe://test.example/admin")) {
                assertFalse(answer.toLowerCase().contains(forged.toLowerCase()), forged + " reached the upstream: " + answer);
            }
        }
    }

    @Test
    void dataAfterTheGatewayAnsweredTheStreamIsDroppedAndTheConnectionServesOn() throws Exception {
        try (RawH2Connection h2 = raw()) {
            // No route: answered 404 while the body is still coming.
            h2.frame(HEADERS, END_HEADERS, 1, h2.encode(H2TestClient.head("POST", "/nowhere/body"))).flush();
            String refused = h2.answer(1);
            assertTrue(refused.startsWith("404\n"), refused);
            byte[] chunk = new byte[4096];
            h2.frame(DATA, 0, 1, chunk).frame(DATA, 0, 1, chunk).frame(DATA, END_STREAM, 1, chunk)
                    .frame(RST_STREAM, 0, 1, RawH2Connection.rst(Http2Error.CANCEL.code()))
                    .frame(DATA, 0, 1, chunk).flush();
            h2.frame(HEADERS, END_HEADERS, 3, h2.encode(H2TestClient.head("POST", "/api/after")))
                    .frame(DATA, END_STREAM, 3, "abcd".getBytes(StandardCharsets.US_ASCII)).flush();
            String answer = h2.answer(3);
            assertTrue(answer.startsWith("200\n"), answer);
            assertTrue(answer.contains("B 4\n"), answer);
        }
    }

    @Test
    void dataAfterEndStreamIsAStreamErrorAndNeverReachesTheUpstream() throws Exception {
        try (RawH2Connection h2 = raw()) {
            h2.frame(HEADERS, END_HEADERS, 1, h2.encode(H2TestClient.head("POST", "/api/ended")))
                    .frame(DATA, END_STREAM, 1, "abc".getBytes(StandardCharsets.US_ASCII))
                    .frame(DATA, 0, 1, "more".getBytes(StandardCharsets.US_ASCII))
                    .frame(HEADERS, END_HEADERS | END_STREAM, 1, h2.encode(H2TestClient.head("GET", "/api/again")))
                    .flush();
            String answer = h2.answer(1);
            assertFalse(answer.contains("B 7"), answer);
            assertEquals(0, upstream.requestsWithPath("/api/again"));
            h2.frame(HEADERS, END_HEADERS | END_STREAM, 3, h2.encode(H2TestClient.head("GET", "/api/next"))).flush();
            assertTrue(h2.answer(3).startsWith("200\n"));
        }
    }

    @Test
    void aReusedOrDecreasingStreamIdIsNeverServed() throws Exception {
        try (RawH2Connection h2 = raw()) {
            h2.frame(HEADERS, END_HEADERS | END_STREAM, 5, h2.encode(H2TestClient.head("GET", "/api/five"))).flush();
            assertTrue(h2.answer(5).startsWith("200\n"));
            h2.frame(HEADERS, END_HEADERS | END_STREAM, 5, h2.encode(H2TestClient.head("GET", "/api/five-again")))
                    .flush();
            String reused = h2.answer(5);
            assertTrue(reused.startsWith("RST_STREAM") || reused.startsWith("GOAWAY"), reused);
            if (reused.startsWith("RST_STREAM")) {
                // Netty answers an id at or below the last one with a stream error: never a request.
                h2.frame(HEADERS, END_HEADERS | END_STREAM, 3, h2.encode(H2TestClient.head("GET", "/api/three")))
                        .flush();
                String lower = h2.answer(3);
                assertTrue(lower.startsWith("RST_STREAM") || lower.startsWith("GOAWAY"), lower);
            }
        }
        assertEquals(0, upstream.requestsWithPath("/api/five-again"));
        assertEquals(0, upstream.requestsWithPath("/api/three"));
    }
}
