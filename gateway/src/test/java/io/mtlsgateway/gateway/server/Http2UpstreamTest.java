package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.config.UpstreamConfig;
import io.mtlsgateway.config.UpstreamProtocol;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.H2Upstream;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient.Response;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code protocol: h2c} upstreams through the whole gateway, with real Netty h2 servers as
 * upstreams and real h1 and h2 clients over mTLS: translation both ways, trailers, the stream
 * limit, GOAWAY, resets, and bodies streamed with flow control under the test JVM's memory caps.
 */
class Http2UpstreamTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static IssuedCertificate client;
    static H2Upstream main;
    static H2Upstream limited;
    static H2Upstream goingAway;
    /** Serves one test only, so the first request it sees is its connection's first. */
    static H2Upstream windows;
    static EchoUpstream http1;

    @BeforeAll
    static void start() throws Exception {
        client = stack.pki().client("h2up", "spiffe://example.org/ns/test/sa/h2up");
        main = stack.keep(H2Upstream.cleartext(100));
        limited = stack.keep(H2Upstream.cleartext(2));
        goingAway = stack.keep(H2Upstream.cleartext(100));
        goingAway.goAwayAfter(3);
        windows = stack.keep(H2Upstream.cleartext(100));
        http1 = stack.keep(EchoUpstream.start(0));
        List<UpstreamConfig> upstreams = List.of(h2c("main", main), h2c("limited", limited),
                h2c("goaway", goingAway), h2c("windows", windows), GatewayFixture.upstream("h1", Duration.ofSeconds(20), http1.port()));
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE, List.of(
                GatewayFixture.route("limited", "/limited", "limited"),
                GatewayFixture.route("goaway", "/goaway", "goaway"),
                GatewayFixture.route("windows", "/windows", "windows"),
                GatewayFixture.route("h1", "/h1", "h1"),
                GatewayFixture.route("main", "/", "main")), upstreams, 1, HttpSettings.defaults()));
    }

    private static UpstreamConfig h2c(String name, H2Upstream server) {
        return GatewayFixture.upstream(name, Duration.ofSeconds(20), server.port()).withProtocol(UpstreamProtocol.H2C);
    }

    private static H2TestClient h2() throws Exception {
        return stack.keep(H2TestClient.connect(stack.address(), stack.pki().server.root(), client));
    }

    private static H2Upstream.Request last(H2Upstream server, String path) {
        return server.requests().stream().filter(r -> r.headers().path().toString().equals(path))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("the upstream never saw " + path));
    }

    @Test
    void anHttp1ClientReachesAnH2cUpstreamWithOnlyTrustworthyIdentityHeaders() throws Exception {
        try (TlsTestClient connection = stack.connect(client)) {
            Response response = connection.send("GET /h1-to-h2c?q=1 HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: keep-alive, X-Drop\r\nX-Drop: hop\r\nKeep-Alive: timeout=5\r\n"
                    + "X-Client-Subject: CN=forged\r\nx-client-subject: CN=forged-again\r\n"
                    + "X-Http2-Scheme: javascript\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n").readResponse();
            assertEquals(200, response.status());
            assertEquals("path=/h1-to-h2c?q=1 body=0", response.body());
            assertEquals("h2", response.headers().get("x-upstream-protocol"));
            assertNull(response.headers().get("x-http2-stream-id"), "Netty's translation names stay inside");
        }
        Map<String, String> seen = H2Upstream.flat(last(main, "/h1-to-h2c?q=1").headers());
        assertEquals("GET", seen.get(":method"));
        assertEquals("http", seen.get(":scheme"));
        assertEquals("localhost", seen.get(":authority"));
        assertEquals("trailers", seen.get("te"));
        assertEquals("CN=h2up,O=Test", seen.get("x-client-subject"),
                "only the gateway's own identity header, once");
        assertEquals("127.0.0.1", seen.get("x-forwarded-for"));
        for (String hop : List.of("connection", "keep-alive", "x-drop", "host", "transfer-encoding", "upgrade",
                "x-http2-scheme", "x-http2-stream-id")) {
            assertFalse(seen.containsKey(hop), hop + " must not reach an h2 upstream: " + seen);
        }
    }

    @Test
    void anH2ClientReachesAnH2cUpstreamAndForgedIdentityHeadersAreStripped() throws Exception {
        H2TestClient h2 = h2();
        Http2Headers head = H2TestClient.head("GET", "/h2-to-h2c").add("x-client-subject", "CN=forged")
                .add("x-client-spiffe-id", "spiffe://evil/x");
        H2TestClient.Reply reply = h2.request(head, null, null).get(10, TimeUnit.SECONDS);
        assertEquals(200, reply.status());
        assertEquals("path=/h2-to-h2c body=0", reply.body());
        Map<String, String> seen = H2Upstream.flat(last(main, "/h2-to-h2c").headers());
        assertEquals("CN=h2up,O=Test", seen.get("x-client-subject"));
        assertEquals("spiffe://example.org/ns/test/sa/h2up", seen.get("x-client-spiffe-id"));
        assertEquals("localhost", seen.get(":authority"));
    }

    /**
     * HTTP/2 has no 101 (RFC 9113 section 8.6): an h2 upstream that answers a plain request with one
     * is a bad upstream, 502; no tunnel is started, and both connections serve on.
     */
    @Test
    void aSwitchingProtocolsAnswerFromAnH2cUpstreamIsABadResponseNotATunnel() throws Exception {
        double before = upstreamErrors("protocol_error");
        assertEquals(200, h2().get("/before-switch").status());
        int connections = main.connections();
        try (TlsTestClient connection = stack.connect(client)) {
            Response switched = connection.send("GET /switch-h1 HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse();
            assertEquals(502, switched.status(), switched.body());
            assertNull(switched.headers().get("upgrade"), "no switch reaches the client");
            Response after = connection.send("GET /after-switch-h1 HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .readResponse();
            assertEquals("path=/after-switch-h1 body=0", after.body(), "no tunnel: the connection serves HTTP on");
        }
        H2TestClient h2 = h2();
        H2TestClient.Reply switched = h2.get("/switch-h2");
        assertEquals(502, switched.status(), switched.toString());
        assertEquals("path=/after-switch-h2 body=0", h2.get("/after-switch-h2").body());
        assertEquals(before + 2, upstreamErrors("protocol_error"));
        assertEquals(connections, main.connections(), "a stream's bad answer does not end the upstream connection");
    }

    private static double upstreamErrors(String kind) throws Exception {
        double value = AdminClient.value(new AdminClient(stack.gateway().adminAddress()).scrape(),
                "mtls_gateway_upstream_errors_total", "upstream", "main", "kind", kind);
        return Double.isNaN(value) ? 0 : value;
    }

    @Test
    void anH2ClientStillReachesAnHttp1Upstream() throws Exception {
        H2TestClient.Reply reply = h2().get("/h1/still-works");
        assertEquals(200, reply.status());
        assertTrue(reply.body().contains("/h1/still-works"), reply.body());
    }

    @Test
    void trailersPassBothWaysBetweenAnH2ClientAndAnH2cUpstream() throws Exception {
        Http2Headers head = H2TestClient.head("POST", "/trailers-h2").add("x-want-trailers", "yes")
                .add("content-type", "application/grpc");
        Http2Headers trailers = new DefaultHttp2Headers().add("x-client-trailer", "t1")
                .add("x-client-subject", "CN=forged-in-a-trailer");
        H2TestClient.Reply reply = h2().request(head, "hello", trailers).get(10, TimeUnit.SECONDS);
        assertEquals(200, reply.status());
        assertEquals("0", reply.trailers().get("grpc-status").toString());
        assertEquals("t1", reply.trailers().get("x-trailer-echo").toString());
        H2Upstream.Request seen = last(main, "/trailers-h2");
        assertEquals(5, seen.bodyBytes());
        assertEquals("t1", seen.trailers().get("x-client-trailer").toString());
        assertNull(seen.trailers().get("x-client-subject"), "identity headers are stripped from trailers too");
    }

    @Test
    void chunkedTrailersOfAnHttp1ClientBecomeH2TrailersAndBack() throws Exception {
        try (TlsTestClient connection = stack.connect(client)) {
            connection.send("POST /trailers-h1 HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
                    + "X-Want-Trailers: yes\r\nTrailer: X-Client-Trailer\r\n\r\n"
                    + "5\r\nhello\r\n0\r\nX-Client-Trailer: t2\r\nX-Client-Subject: CN=forged\r\n\r\n");
            Response head = connection.readHead();
            assertEquals(200, head.status());
            assertEquals("chunked", head.headers().get("transfer-encoding"));
            Chunked body = Chunked.read(connection.input());
            assertEquals("path=/trailers-h1 body=5", body.body());
            assertEquals("0", body.trailers().get("grpc-status"));
            assertEquals("t2", body.trailers().get("x-trailer-echo"));
        }
        H2Upstream.Request seen = last(main, "/trailers-h1");
        assertEquals("t2", seen.trailers().get("x-client-trailer").toString());
        assertNull(seen.trailers().get("x-client-subject"));
    }

    @Test
    void aTrailersOnlyAnswerStaysOneHeadersFrame() throws Exception {
        H2TestClient.Reply reply = h2().request(H2TestClient.head("POST", "/trailers-only")
                .add("content-type", "application/grpc"), "x", null).get(10, TimeUnit.SECONDS);
        assertEquals(200, reply.status());
        assertEquals("5", reply.header("grpc-status"));
        assertEquals("", reply.body());
        assertNull(reply.trailers(), "the answer ended with its HEADERS frame, as the upstream sent it");
        try (TlsTestClient connection = stack.connect(client)) {
            Response response = connection.send("GET /trailers-only HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .readResponse();
            assertEquals(200, response.status());
            assertEquals("5", response.headers().get("grpc-status"));
            assertEquals(200, connection.send("GET /after HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse()
                    .status(), "the client connection serves on");
        }
    }

    @Test
    void opensAnotherConnectionWhenTheUpstreamsStreamLimitIsReached() throws Exception {
        CountDownLatch allSeen = new CountDownLatch(5);
        limited.onRequest(r -> allSeen.countDown());
        H2TestClient h2 = h2();
        List<CompletableFuture<H2TestClient.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            replies.add(h2.request(H2TestClient.head("GET", "/limited/hold/" + i), null, null));
        }
        // All five are at the upstream at once: with two streams per connection, that takes three.
        assertTrue(allSeen.await(20, TimeUnit.SECONDS), "seen " + limited.requests().size());
        limited.release();
        for (CompletableFuture<H2TestClient.Reply> reply : replies) {
            assertEquals(200, reply.get(20, TimeUnit.SECONDS).status());
        }
        assertEquals(3, limited.connections());
    }

    @Test
    void aGoAwayMidTrafficFailsNoNewRequest() throws Exception {
        H2TestClient h2 = h2();
        try (TlsTestClient connection = stack.connect(client)) {
            for (int round = 0; round < 8; round++) {
                List<CompletableFuture<H2TestClient.Reply>> batch = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    batch.add(h2.request(H2TestClient.head("GET", "/goaway/" + round + "/" + i), null, null));
                }
                Response h1 = connection.send("GET /goaway/h1/" + round + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                        .readResponse();
                assertEquals(200, h1.status(), "h1 request in round " + round + ": " + h1.body());
                for (CompletableFuture<H2TestClient.Reply> reply : batch) {
                    assertEquals(200, reply.get(20, TimeUnit.SECONDS).status(), "round " + round);
                }
            }
        }
        assertTrue(goingAway.connections() >= 8, "every connection went away after 3 streams: "
                + goingAway.connections());
    }

    @Test
    void aStreamResetBeforeTheAnswerIs502AndUnavailableForGrpc() throws Exception {
        try (TlsTestClient connection = stack.connect(client)) {
            Response response = connection.send("GET /reset HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse();
            assertEquals(502, response.status());
            assertTrue(response.body().contains("upstream_reset"), response.body());
        }
        H2TestClient.Reply grpc = h2().request(H2TestClient.head("POST", "/reset/grpc")
                .add("content-type", "application/grpc").add("te", "trailers"), "x", null).get(10, TimeUnit.SECONDS);
        assertEquals(200, grpc.status());
        assertEquals("14", grpc.header("grpc-status"), "UNAVAILABLE");
    }

    @Test
    void aLargeResponseStreamsWithFlowControlToASlowerHttp1Client() throws Exception {
        long size = 200L * 1024 * 1024; // above the test JVM's direct-memory cap: it cannot be held whole
        try (TlsTestClient connection = stack.connect(client)) {
            connection.send("GET /large/" + size + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
            Response head = connection.readHead();
            assertEquals(200, head.status());
            long received = Chunked.drain(connection.input());
            assertEquals(size, received);
        }
        assertTrue(main.flowControlStalls() > 0, "the upstream had to wait for the gateway's window");
    }

    @Test
    void anUpstreamMaySendAMebibyteOnAStreamBeforeTheGatewayGrantsMore() throws Exception {
        // The protocol's 64 KiB would cost a large answer a round trip every 32 KiB (docs/http2.md,
        // Flow control); the slow-reader tests show the gateway still stops granting for a slow client.
        H2TestClient.Reply reply = h2().get("/windows/first");
        assertEquals(200, reply.status());
        H2Upstream.Request request = last(windows, "/windows/first");
        assertEquals(1 << 20, request.sendWindow(), "the stream window the gateway announced");
        assertTrue(request.connectionSendWindow() >= 1 << 20,
                "the connection's window, raised with it: " + request.connectionSendWindow());
    }

    @Test
    void aLargeUploadStreamsToAnH2cUpstreamByteForByte() throws Exception {
        long size = 200L * 1024 * 1024;
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        byte[] block = new byte[64 * 1024];
        new Random(7).nextBytes(block);
        try (TlsTestClient connection = stack.connect(client)) {
            connection.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + size + "\r\n\r\n");
            OutputStream out = connection.output();
            for (long written = 0; written < size; written += block.length) {
                block[0] = (byte) written;
                out.write(block);
                sent.update(block);
            }
            out.flush();
            Response response = connection.readResponse();
            assertEquals(200, response.status());
            assertEquals("path=/upload body=" + size, response.body());
        }
        assertEquals(HexFormat.of().formatHex(sent.digest()), last(main, "/upload").bodySha256());
    }

    /** A chunked body read from the wire, with its trailers (lowercase names). */
    record Chunked(String body, Map<String, String> trailers) {
        static Chunked read(InputStream in) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(line(in).split(";", 2)[0].trim(), 16);
                if (size == 0) {
                    Map<String, String> trailers = new LinkedHashMap<>();
                    for (String line = line(in); !line.isEmpty(); line = line(in)) {
                        int colon = line.indexOf(':');
                        trailers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                                line.substring(colon + 1).trim());
                    }
                    return new Chunked(body.toString(StandardCharsets.UTF_8), trailers);
                }
                body.write(in.readNBytes(size));
                line(in);
            }
        }

        /** Reads a chunked body to its end without keeping it; returns its length. */
        static long drain(InputStream in) throws IOException {
            long total = 0;
            while (true) {
                int size = Integer.parseInt(line(in).split(";", 2)[0].trim(), 16);
                if (size == 0) {
                    while (!line(in).isEmpty()) {
                        // trailers
                    }
                    return total;
                }
                in.skipNBytes(size);
                total += size;
                line(in);
            }
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }
    }
}
