package io.mtlsgateway.gateway.server;

import static io.mtlsgateway.gateway.testing.RawH2Connection.DATA;
import static io.mtlsgateway.gateway.testing.RawH2Connection.END_HEADERS;
import static io.mtlsgateway.gateway.testing.RawH2Connection.END_STREAM;
import static io.mtlsgateway.gateway.testing.RawH2Connection.HEADERS;
import static io.mtlsgateway.gateway.testing.RawH2Connection.RST_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.RawH2Connection;
import io.mtlsgateway.gateway.testing.RawH2Connection.Frame;
import io.mtlsgateway.gateway.testing.ScriptedUpstream;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.netty.handler.codec.http2.Http2Error;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An h2 client cannot smuggle a request to an HTTP/1.1 upstream (the h2.CL / h2.TE desyncs): the
 * body's length is the stream's, so DATA past a content-length is a stream error and never
 * reaches the upstream, and a body without one is re-framed as chunks, whatever bytes it holds.
 * The upstream is a raw socket that parses every request it reads, body included.
 */
class Http2ToHttp1SmugglingTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    private static final String HIDDEN = "GET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n";
    static final Queue<String> targets = new ConcurrentLinkedQueue<>();
    static final Queue<String> bodies = new ConcurrentLinkedQueue<>();
    static IssuedCertificate client;

    @BeforeAll
    static void start() throws Exception {
        client = stack.pki().client("smuggler", null);
        ScriptedUpstream upstream = stack.keep(ScriptedUpstream.start(c -> {
            for (String head; (head = c.readHead()) != null; ) {
                targets.add(head.substring(0, head.indexOf('\r')).split(" ")[1]);
                bodies.add(body(head, c.in()));
                c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        }));
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("all", "/", "app")),
                List.of(GatewayFixture.upstream("app", Duration.ofSeconds(20), upstream.port()))));
    }

    @Test
    void dataPastTheContentLengthIsAStreamErrorAndNeverReachesTheUpstream() throws Exception {
        targets.clear();
        try (RawH2Connection h2 = RawH2Connection.connect(stack.address(), stack.pki().server.root(), client)) {
            byte[] head = h2.encode(H2TestClient.head("POST", "/api").add("content-length", "5"));
            h2.frame(HEADERS, END_HEADERS, 1, head)
                    .frame(DATA, 0, 1, "hello".getBytes(StandardCharsets.US_ASCII))
                    .frame(DATA, END_STREAM, 1, HIDDEN.getBytes(StandardCharsets.US_ASCII)).flush();
            Frame reset = h2.await(RST_STREAM, 1);
            assertNotNull(reset, "the stream that overran its content-length must be reset");
            assertEquals(Http2Error.PROTOCOL_ERROR.code(), reset.errorCode(), reset.toString());
        }
        probe();
        assertTrue(targets.stream().noneMatch("/smuggled"::equals), "smuggled past the content-length: " + targets);
    }

    @Test
    void aBodyWithoutALengthIsForwardedChunkedWhateverItHolds() throws Exception {
        targets.clear();
        bodies.clear();
        String payload = "0\r\n\r\n" + HIDDEN;
        try (RawH2Connection h2 = RawH2Connection.connect(stack.address(), stack.pki().server.root(), client)) {
            h2.frame(HEADERS, END_HEADERS, 1, h2.encode(H2TestClient.head("POST", "/api")))
                    .frame(DATA, END_STREAM, 1, payload.getBytes(StandardCharsets.US_ASCII)).flush();
            Frame answer = h2.await(HEADERS, 1);
            assertNotNull(answer);
            assertEquals("200", h2.decode(answer).status().toString());
        }
        probe();
        assertEquals(List.of("/api", "/probe"), List.copyOf(targets), "the body's bytes were read as a request");
        assertEquals(payload, bodies.peek(), "the upstream reads the body as it was sent");
    }

    /** A request on a new connection: whatever reached the upstream before it has been read by then. */
    private static void probe() throws Exception {
        try (TlsTestClient c = TlsTestClient.connect(stack.address(), stack.pki().server.root(), client)) {
            assertEquals(200, c.send("GET /probe HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
        }
    }

    /** The body of a request with this head: by its Content-Length, or its chunks. */
    private static String body(String head, InputStream in) throws IOException {
        String lower = head.toLowerCase(Locale.ROOT);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (lower.contains("\r\ntransfer-encoding: chunked\r\n")) {
            for (int size; (size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) > 0; ) {
                body.write(in.readNBytes(size));
                line(in);
            }
            while (!line(in).isEmpty()) {
                // trailers
            }
        } else {
            int at = lower.indexOf("\r\ncontent-length: ");
            if (at >= 0) {
                int end = lower.indexOf('\r', at + 2);
                body.write(in.readNBytes(Integer.parseInt(lower.substring(at + 18, end).trim())));
            }
        }
        return body.toString(StandardCharsets.ISO_8859_1);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0 && b != '\n'; ) {
            if (b != '\r') {
                out.write(b);
            }
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
