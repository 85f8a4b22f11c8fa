package io.mtlsgateway.gateway.server;

import static io.mtlsgateway.gateway.testing.RawH2Connection.END_HEADERS;
import static io.mtlsgateway.gateway.testing.RawH2Connection.END_STREAM;
import static io.mtlsgateway.gateway.testing.RawH2Connection.HEADERS;
import static io.mtlsgateway.gateway.testing.RawH2Connection.RST_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.RawH2Connection;
import io.mtlsgateway.gateway.testing.RawH2Connection.Frame;
import io.mtlsgateway.gateway.testing.TrailerUpstream;
import io.netty.handler.codec.http2.Http2Error;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An h2 field value with CR, LF or NUL (RFC 9113 section 8.2.1: malformed) is a stream error and
 * never reaches an HTTP/1.1 upstream, where CR LF would end the header line and start another: a
 * forged identity header after the forged ones were stripped, or a second request.
 */
class Http2FieldValuesTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static IssuedCertificate client;
    static TrailerUpstream upstream;

    @BeforeAll
    static void start() throws Exception {
        upstream = stack.keep(new TrailerUpstream());
        client = stack.pki().client("values", "spiffe://test.example/ns/prod/sa/values");
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("api", "/api", "trailers")),
                List.of(GatewayFixture.upstream("trailers", Duration.ofSeconds(30), upstream.port()))));
    }

    @Test
    void aValueWithCrLfOrNulIsAStreamErrorNeverForwarded() throws Exception {
        byte[] get = {(byte) 0x82};
        byte[] scheme = {(byte) 0x87};
        byte[] authority = field(":authority", "localhost");
        byte[] path = field(":path", "/api/x");
        Map<String, byte[]> malformed = new LinkedHashMap<>();
        malformed.put("CR LF in a value", block(get, scheme, authority, path,
                field("x-note", "a\r\nx-client-subject: CN=admin")));
        malformed.put("a bare LF in a value", block(get, scheme, authority, path, field("x-note", "a\nb")));
        malformed.put("NUL in a value", block(get, scheme, authority, path, field("x-note", "a\0b")));
        try (RawH2Connection h2 = RawH2Connection.connect(stack.address(), stack.pki().server.root(), client)) {
            int stream = 1;
            for (Map.Entry<String, byte[]> bad : malformed.entrySet()) {
                h2.frame(HEADERS, END_HEADERS | END_STREAM, stream, bad.getValue()).flush();
                Frame reply = firstOn(h2, stream);
                assertNotNull(reply, bad.getKey());
                assertEquals(RST_STREAM, reply.type(), bad.getKey() + ": a stream error, not "
                        + (reply.type() == HEADERS ? h2.decode(reply) : reply));
                assertEquals(Http2Error.PROTOCOL_ERROR.code(), reply.errorCode(), bad.getKey());
                stream += 2;
            }
        }
    }

    @Test
    void aMethodOrPathThatCannotBeARequestLineIs400NeverForwardedAndLeaksNothing() throws Exception {
        // Netty's translation allocates the request's buffer before it checks these and then loses
        // it (and the stream was never answered); the leak extension fails the class on a leak.
        byte[] scheme = {(byte) 0x87};
        byte[] authority = field(":authority", "localhost");
        Map<String, byte[]> malformed = new LinkedHashMap<>();
        malformed.put("a space in the query", block(field(":method", "GET"), scheme, authority,
                field(":path", "/api/x?a b")));
        malformed.put("a space and a version in the path", block(field(":method", "GET"), scheme, authority,
                field(":path", "/api/x HTTP/1.1")));
        malformed.put("a tab in the query", block(field(":method", "GET"), scheme, authority,
                field(":path", "/api/x?a\tb")));
        malformed.put("a non-ASCII byte in the query", block(field(":method", "GET"), scheme, authority,
                field(":path", "/api/x?q=\u00ff")));
        malformed.put("a space in the method", block(field(":method", "G ET"), scheme, authority,
                field(":path", "/api/x")));
        try (RawH2Connection h2 = RawH2Connection.connect(stack.address(), stack.pki().server.root(), client)) {
            int stream = 1;
            for (Map.Entry<String, byte[]> bad : malformed.entrySet()) {
                h2.frame(HEADERS, END_HEADERS | END_STREAM, stream, bad.getValue()).flush();
                Frame reply = firstOn(h2, stream);
                assertNotNull(reply, bad.getKey());
                assertEquals(HEADERS, reply.type(), bad.getKey() + ": answered, not " + reply);
                assertEquals("400", h2.decode(reply).status().toString(), bad.getKey());
                stream += 2;
            }
        }
        assertEquals(0, upstream.requestsWithPath("/api/x"), "nothing reached the upstream");
    }

    /** The first HEADERS or RST_STREAM on {@code stream} (or a GOAWAY), null at the end of the connection. */
    private static Frame firstOn(RawH2Connection h2, int stream) throws Exception {
        Frame frame;
        while ((frame = h2.read()) != null && frame.type() != RawH2Connection.GOAWAY
                && !(frame.streamId() == stream && (frame.type() == HEADERS || frame.type() == RST_STREAM))) {
            // SETTINGS, WINDOW_UPDATE, PING and the like
        }
        return frame;
    }

    /** An HPACK literal field without indexing, with a new name (RFC 7541 section 6.2.2). */
    private static byte[] field(String name, String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x00);
        out.write(name.length());
        out.writeBytes(name.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        out.write(value.length());
        out.writeBytes(value.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private static byte[] block(byte[]... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : fields) {
            out.writeBytes(f);
        }
        return out.toByteArray();
    }
}
