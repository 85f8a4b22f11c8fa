package io.mtlsgateway.gateway.server;

import static io.mtlsgateway.gateway.testing.RawH2Connection.END_HEADERS;
import static io.mtlsgateway.gateway.testing.RawH2Connection.END_STREAM;
import static io.mtlsgateway.gateway.testing.RawH2Connection.HEADERS;
import static io.mtlsgateway.gateway.testing.RawH2Connection.RST_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.RawH2Connection;
import io.mtlsgateway.gateway.testing.RawH2Connection.Frame;
import io.mtlsgateway.gateway.testing.TrailerUpstream;
import io.netty.handler.codec.http2.Http2Error;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Stream resets the gateway answers, over raw frames: malformed header blocks (RFC 9113 section
 * 8.1.1, 8.3) and a content-length the body disagrees with are stream errors; a malformed stream is reset and counted in
 * {@code mtls_gateway_h2_resets_total} by its error code while the connection serves on; and
 * MadeYouReset (a client making the server reset stream after stream with frames that are
 * stream errors) ends with GOAWAY {@code ENHANCE_YOUR_CALM}, counted, the gateway serving others.
 */
class Http2StreamResetsTest {
    private static final int WINDOW_UPDATE = 8;

    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static IssuedCertificate client;
    static AdminClient admin;

    @BeforeAll
    static void start() throws Exception {
        TrailerUpstream upstream = stack.keep(new TrailerUpstream());
        client = stack.pki().client("resets", "spiffe://test.example/ns/prod/sa/resets");
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("api", "/api", "trailers")),
                List.of(GatewayFixture.upstream("trailers", Duration.ofSeconds(30), upstream.port()))));
        admin = new AdminClient(stack.gateway().adminAddress());
    }

    private static RawH2Connection raw() throws Exception {
        return RawH2Connection.connect(stack.address(), stack.pki().server.root(), client);
    }

    private static double counted(String series, String reason) throws Exception {
        double value = AdminClient.value(admin.scrape(), series, "reason", reason);
        return Double.isNaN(value) ? 0 : value;
    }

    @Test
    void aMalformedStreamIsResetCountedByItsCodeAndTheConnectionServesOn() throws Exception {
        double before = counted("mtls_gateway_h2_resets_total", "protocol_error");
        try (RawH2Connection h2 = raw()) {
            byte[] malformed = h2.encode(H2TestClient.head("GET", "/api/te").add("te", "gzip"));
            h2.frame(HEADERS, END_HEADERS | END_STREAM, 1, malformed).flush();
            Frame reset = h2.await(RST_STREAM, 1);
            assertNotNull(reset, "RST_STREAM expected on the malformed stream");
            assertEquals(RST_STREAM, reset.type(), "a stream error, not a connection error: " + reset);
            assertEquals(Http2Error.PROTOCOL_ERROR.code(), reset.errorCode());

            // The next stream is answered on the same connection, after the reset was counted.
            h2.frame(HEADERS, END_HEADERS | END_STREAM, 3, h2.encode(H2TestClient.head("GET", "/api/fine"))).flush();
            Frame answer = h2.await(HEADERS, 3);
            assertNotNull(answer);
            assertEquals(HEADERS, answer.type(), "answered, not gone away: " + answer);
            assertEquals("200", h2.decode(answer).status().toString());
        }
        assertEquals(before + 1, counted("mtls_gateway_h2_resets_total", "protocol_error"));
    }

    /**
     * A stream error on a stream already open (the request stage serves it) is seen twice inside the
     * gateway: the codec shows it to the pipeline, then {@code h2-streams} writes the reset, which the
     * codec's frame logger sees. It is one reset, counted once.
     */
    @Test
    void aStreamErrorOnAnOpenStreamIsCountedOnce() throws Exception {
        double before = counted("mtls_gateway_h2_resets_total", "protocol_error");
        try (RawH2Connection h2 = raw()) {
            // content-length 5, then 3 bytes that end the stream: the head was a request already.
            h2.frame(HEADERS, END_HEADERS, 1, h2.encode(H2TestClient.head("POST", "/api/short")
                            .add("content-length", "5")))
                    .frame(RawH2Connection.DATA, END_STREAM, 1, new byte[] {'a', 'b', 'c'}).flush();
            Frame reset = h2.await(RST_STREAM, 1);
            assertNotNull(reset);
            assertEquals(RST_STREAM, reset.type(), "a stream error, not " + reset);
            assertEquals(Http2Error.PROTOCOL_ERROR.code(), reset.errorCode());
            // Answered after the reset was counted (both are counted on the connection's loop).
            h2.frame(HEADERS, END_HEADERS | END_STREAM, 3, h2.encode(H2TestClient.head("GET", "/api/fine"))).flush();
            assertEquals("200", h2.decode(h2.await(HEADERS, 3)).status().toString());
        }
        assertEquals(before + 1, counted("mtls_gateway_h2_resets_total", "protocol_error"));
    }

    /** An HPACK literal field without indexing, with a new name (RFC 7541 section 6.2.2): no table change. */
    private static byte[] field(String name, String value) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0x00);
        out.write(name.length());
        out.writeBytes(name.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.write(value.length());
        out.writeBytes(value.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static byte[] block(byte[]... fields) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] f : fields) {
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    @Test
    void malformedHeaderBlocksAndALengthThatDisagreesWithTheBodyAreStreamErrors() throws Exception {
        byte[] get = {(byte) 0x82}; // :method GET (static table)
        byte[] post = {(byte) 0x83}; // :method POST
        byte[] scheme = {(byte) 0x87}; // :scheme https
        byte[] authority = field(":authority", "localhost");
        byte[] path = field(":path", "/api/x");
        java.util.Map<String, byte[]> malformed = new java.util.LinkedHashMap<>();
        malformed.put("an uppercase field name", block(get, scheme, authority, path, field("X-Upper", "1")));
        malformed.put("a pseudo-header after a regular field", block(get, scheme, authority, field("x-a", "1"), path));
        malformed.put("no :path", block(get, scheme, authority));
        malformed.put("two :path", block(get, scheme, authority, path, path));
        malformed.put("an unknown pseudo-header", block(get, scheme, authority, path, field(":protocol-x", "1")));
        try (RawH2Connection h2 = raw()) {
            int stream = 1;
            for (java.util.Map.Entry<String, byte[]> bad : malformed.entrySet()) {
                h2.frame(HEADERS, END_HEADERS | END_STREAM, stream, bad.getValue()).flush();
                Frame reset = h2.await(RST_STREAM, stream);
                assertNotNull(reset, bad.getKey());
                assertEquals(RST_STREAM, reset.type(), bad.getKey() + ": a stream error, not " + reset);
                assertEquals(Http2Error.PROTOCOL_ERROR.code(), reset.errorCode(), bad.getKey());
                stream += 2;
            }
            // content-length 5, then 3 bytes that end the stream.
            h2.frame(HEADERS, END_HEADERS, stream, block(post, scheme, authority, path, field("content-length", "5")))
                    .frame(RawH2Connection.DATA, END_STREAM, stream, new byte[] {'a', 'b', 'c'}).flush();
            Frame reset = h2.await(RST_STREAM, stream);
            assertNotNull(reset, "content-length disagreeing with DATA");
            assertEquals(RST_STREAM, reset.type(), "content-length disagreeing with DATA: " + reset);
            assertEquals(Http2Error.PROTOCOL_ERROR.code(), reset.errorCode());
        }
    }

    @Test
    void madeYouResetEndsWithGoAwayEnhanceYourCalm() throws Exception {
        double before = counted("mtls_gateway_h2_goaway_total", "enhance_your_calm");
        try (RawH2Connection h2 = raw()) {
            byte[] block = h2.encode(H2TestClient.head("POST", "/nowhere/made-you-reset"));
            // Each stream is opened (a body to follow) and then given a WINDOW_UPDATE of 0, a stream
            // error (RFC 9113 section 6.9) the server must answer with RST_STREAM: the client never
            // sends one itself. Past Netty's 200 server resets in 30 s, written at once.
            byte[] zero = RawH2Connection.rst(0);
            for (int stream = 1; stream < 2 * 260; stream += 2) {
                h2.frame(HEADERS, END_HEADERS, stream, block).frame(WINDOW_UPDATE, 0, stream, zero);
            }
            h2.flush();
            Frame goAway = h2.awaitGoAway();
            assertNotNull(goAway, "GOAWAY expected before the close");
            assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
        }
        assertTrue(counted("mtls_gateway_h2_goaway_total", "enhance_your_calm") > before);
        try (H2TestClient h2 = H2TestClient.connect(stack.address(), stack.pki().server.root(), client)) {
            assertEquals(200, h2.get("/api/still-here").status(), "other clients are still served");
        }
    }
}
