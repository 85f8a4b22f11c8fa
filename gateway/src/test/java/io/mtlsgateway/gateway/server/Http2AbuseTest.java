package io.mtlsgateway.gateway.server;

import static io.mtlsgateway.gateway.testing.RawH2Connection.CONTINUATION;
import static io.mtlsgateway.gateway.testing.RawH2Connection.DATA;
import static io.mtlsgateway.gateway.testing.RawH2Connection.END_HEADERS;
import static io.mtlsgateway.gateway.testing.RawH2Connection.END_STREAM;
import static io.mtlsgateway.gateway.testing.RawH2Connection.GOAWAY;
import static io.mtlsgateway.gateway.testing.RawH2Connection.HEADERS;
import static io.mtlsgateway.gateway.testing.RawH2Connection.PING;
import static io.mtlsgateway.gateway.testing.RawH2Connection.RST_STREAM;
import static io.mtlsgateway.gateway.testing.RawH2Connection.SETTINGS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ApplicationProtocol;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.Http2Limits;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.RawH2Connection;
import io.mtlsgateway.gateway.testing.RawH2Connection.Frame;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TrailerUpstream;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.mtlsgateway.gateway.testing.GatewayStack;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Raw-frame attacks on an h2 listener: each ends with GOAWAY or a stream reset, is counted, and
 * the gateway goes on serving other clients.
 */
class Http2AbuseTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    private static final Http2Limits LIMITS = new Http2Limits(2, 4096, Duration.ofHours(1), 1000);

    static TestPki pki;
    static TrailerUpstream upstream;
    static GatewayServer gateway;
    static InetSocketAddress address;
    static IssuedCertificate client;

    @BeforeAll
    static void start() throws Exception {
        pki = stack.pki();
        upstream = stack.keep(new TrailerUpstream());
        client = pki.client("attacker", "spiffe://test.example/ns/prod/sa/attacker");
        gateway = stack.start(GatewayFixture.withHttp2(GatewayFixture.config(pki, ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("api", "/api", "trailers")),
                List.of(GatewayFixture.upstream("trailers", Duration.ofSeconds(30), upstream.port()))),
                ListenerConfig.DEFAULT_ALPN, LIMITS));
        address = gateway.address(GatewayFixture.LISTENER);
    }

    private static GatewayServer startWith(Http2Limits limits) throws Exception {
        return GatewayServer.start(GatewayFixture.withHttp2(GatewayFixture.config(pki, ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("api", "/api", "trailers")),
                List.of(GatewayFixture.upstream("trailers", Duration.ofSeconds(30), upstream.port()))),
                List.of(ApplicationProtocol.H2), limits));
    }

    private static RawH2Connection raw() throws Exception {
        return RawH2Connection.connect(address, pki.server.root(), client);
    }

    private static byte[] get(RawH2Connection h2, String path) throws Exception {
        return h2.encode(H2TestClient.head("GET", path));
    }

    private static double goAways(String reason) throws Exception {
        double value = AdminClient.value(new AdminClient(gateway.adminAddress()).scrape(),
                "mtls_gateway_h2_goaway_total", "reason", reason);
        return Double.isNaN(value) ? 0 : value;
    }

    private static void othersAreStillServed() throws Exception {
        try (H2TestClient h2 = H2TestClient.connect(address, pki.server.root(), client)) {
            assertEquals(200, h2.get("/api/still-here").status());
        }
    }

    @Test
    void rapidResetEndsWithGoAwayEnhanceYourCalm() throws Exception {
        double before = goAways("enhance_your_calm");
        try (RawH2Connection h2 = raw()) {
            byte[] block = get(h2, "/api/reset");
            // Just past Netty's limit of 200 in 30 s, written at once: all of it is read before the close.
            for (int stream = 1; stream < 2 * 260; stream += 2) {
                h2.frame(HEADERS, END_HEADERS | END_STREAM, stream, block)
                        .frame(RST_STREAM, 0, stream, RawH2Connection.rst(Http2Error.CANCEL.code()));
            }
            h2.flush();
            Frame goAway = h2.awaitGoAway();
            assertNotNull(goAway, "GOAWAY expected before the close");
            assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
        }
        assertTrue(goAways("enhance_your_calm") > before);
        othersAreStillServed();
    }

    @Test
    void continuationFloodOfEmptyFramesEndsWithGoAway() throws Exception {
        try (RawH2Connection h2 = raw()) {
            byte[] block = get(h2, "/api/continuation");
            h2.frame(HEADERS, 0, 1, java.util.Arrays.copyOf(block, 1));
            for (int i = 0; i < 40; i++) {
                h2.frame(CONTINUATION, 0, 1, new byte[0]);
            }
            h2.flush();
            Frame goAway = h2.awaitGoAway();
            assertNotNull(goAway, "GOAWAY expected before the close");
            assertNotEquals(Http2Error.NO_ERROR.code(), goAway.errorCode());
        }
        othersAreStillServed();
    }

    @Test
    void hpackBombIsRefusedByTheHeaderListSizeLimit() throws Exception {
        try (RawH2Connection h2 = raw()) {
            Http2Headers headers = H2TestClient.head("GET", "/api/bomb");
            String big = "x".repeat(3000);
            for (int i = 0; i < 100; i++) {
                headers.add("x-bomb", big);
            }
            byte[] block = h2.encode(headers);
            // A few KB on the wire, 300 KB once decoded.
            assertTrue(block.length < 4096, "block " + block.length);
            h2.frame(HEADERS, END_HEADERS | END_STREAM, 1, block).flush();
            Frame answer = h2.read();
            while (answer != null && answer.type() != GOAWAY && answer.type() != RST_STREAM
                    && answer.type() != HEADERS) {
                answer = h2.read();
            }
            assertNotNull(answer);
            if (answer.type() == HEADERS) {
                assertEquals("431", h2.decode(answer).status().toString());
            }
        }
        assertEquals(0, upstream.requestsWithPath("/api/bomb"));
        othersAreStillServed();
    }

    @Test
    void settingsFloodEndsWithGoAway() throws Exception {
        double before = goAways("control_flood");
        try (RawH2Connection h2 = raw()) {
            for (int i = 0; i < 500; i++) {
                h2.frame(SETTINGS, 0, 0, new byte[0]);
            }
            h2.flush();
            Frame goAway = h2.awaitGoAway();
            assertNotNull(goAway);
            assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
        }
        assertTrue(goAways("control_flood") > before);
        othersAreStillServed();
    }

    @Test
    void pingFloodEndsWithGoAway() throws Exception {
        try (RawH2Connection h2 = raw()) {
            for (int i = 0; i < 500; i++) {
                h2.frame(PING, 0, 0, new byte[8]);
            }
            h2.flush();
            Frame goAway = h2.awaitGoAway();
            assertNotNull(goAway);
            assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
        }
        othersAreStillServed();
    }

    @Test
    void emptyDataFloodEndsWithGoAway() throws Exception {
        try (RawH2Connection h2 = raw()) {
            h2.frame(HEADERS, END_HEADERS, 1, h2.encode(H2TestClient.head("POST", "/api/empty")));
            for (int i = 0; i < 10; i++) {
                h2.frame(DATA, 0, 1, new byte[0]);
            }
            h2.flush();
            Frame goAway = h2.awaitGoAway();
            assertNotNull(goAway);
            assertNotEquals(Http2Error.NO_ERROR.code(), goAway.errorCode());
        }
        othersAreStillServed();
    }

    @Test
    void refusesAStreamBeyondMaxConcurrentStreams() throws Exception {
        try (RawH2Connection h2 = raw()) {
            // Two uploads that never end hold both allowed streams open.
            h2.frame(HEADERS, END_HEADERS, 1, h2.encode(H2TestClient.head("POST", "/api/open1")))
                    .frame(HEADERS, END_HEADERS, 3, h2.encode(H2TestClient.head("POST", "/api/open2")))
                    .frame(HEADERS, END_HEADERS | END_STREAM, 5, get(h2, "/api/third"))
                    .flush();
            Frame reset = h2.await(RST_STREAM, 5);
            assertNotNull(reset);
            assertEquals(RST_STREAM, reset.type(), "frame " + reset.type());
            assertTrue(reset.errorCode() == Http2Error.REFUSED_STREAM.code()
                    || reset.errorCode() == Http2Error.PROTOCOL_ERROR.code(), "code " + reset.errorCode());
        }
        othersAreStillServed();
    }

    @Test
    void goesAwayGracefullyAfterMaxRequestsPerConnection() throws Exception {
        try (GatewayServer counted = startWith(new Http2Limits(100, 16384, Duration.ofHours(1), 5));
                H2TestClient h2 = H2TestClient.connect(counted.address(GatewayFixture.LISTENER), pki.server.root(),
                        client)) {
            for (int i = 0; i < 5; i++) {
                assertEquals(200, h2.get("/api/n" + i).status(), "request " + i);
            }
            assertEquals(Http2Error.NO_ERROR.code(), h2.goAway().get(10, TimeUnit.SECONDS));
            double sent = AdminClient.value(new AdminClient(counted.adminAddress()).scrape(),
                    "mtls_gateway_h2_goaway_total", "reason", "max_requests");
            assertEquals(1.0, sent);
        }
    }

    @Test
    void goesAwayGracefullyAtMaxConnectionAge() throws Exception {
        // An age the handshake and first request fit in on a loaded machine: a GOAWAY before the
        // first stream opens would refuse it.
        try (GatewayServer aged = startWith(new Http2Limits(100, 16384, Duration.ofSeconds(2), 1000));
                H2TestClient h2 = H2TestClient.connect(aged.address(GatewayFixture.LISTENER), pki.server.root(),
                        client)) {
            assertEquals(200, h2.get("/api/young").status());
            assertEquals(Http2Error.NO_ERROR.code(), h2.goAway().get(10, TimeUnit.SECONDS));
        }
    }
}
