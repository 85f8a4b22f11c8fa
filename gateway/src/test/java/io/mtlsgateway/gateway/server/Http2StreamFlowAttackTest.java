package io.mtlsgateway.gateway.server;

import static io.mtlsgateway.gateway.testing.RawH2Connection.DATA;
import static io.mtlsgateway.gateway.testing.RawH2Connection.END_HEADERS;
import static io.mtlsgateway.gateway.testing.RawH2Connection.END_STREAM;
import static io.mtlsgateway.gateway.testing.RawH2Connection.GOAWAY;
import static io.mtlsgateway.gateway.testing.RawH2Connection.HEADERS;
import static io.mtlsgateway.gateway.testing.RawH2Connection.RST_STREAM;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.RawH2Connection;
import io.mtlsgateway.gateway.testing.RawH2Connection.Frame;
import io.mtlsgateway.gateway.testing.ScriptedUpstream;
import io.mtlsgateway.gateway.testing.TrailerUpstream;
import io.netty.handler.codec.http2.Http2Error;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flow control of the h2 stream path against a client that sends as fast as its windows let it
 * and an upstream that stops reading: the gateway grants a stream's window back only for bytes the
 * upstream took, so the client stalls within a few windows instead of filling the gateway's heap;
 * a stream reset while its bytes wait gives the connection's window back, so the next upload
 * goes through. And an upstream's informational response does not break the stream's answer.
 */
class Http2StreamFlowAttackTest {
    private static final int WINDOW_UPDATE = 8;
    private static final int CHUNK = 16 * 1024;
    /** Far above what a stalled upstream, the sockets and the gateway's buffers can hold. */
    private static final long LIMIT = 96L * 1024 * 1024;

    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static final CountDownLatch stallEnds = new CountDownLatch(1);
    static IssuedCertificate client;

    @BeforeAll
    static void start() throws Exception {
        TrailerUpstream echo = stack.keep(new TrailerUpstream());
        ScriptedUpstream stalled = stack.keep(ScriptedUpstream.start(c -> {
            c.readHead();
            stallEnds.await(); // never reads the body
        }));
        ScriptedUpstream hints = stack.keep(ScriptedUpstream.start(c -> {
            c.readHead();
            c.write("HTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\n"
                    + "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
            c.readHead();
        }));
        client = stack.pki().client("uploader", "spiffe://test.example/ns/prod/sa/uploader");
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("api", "/api", "echo"), GatewayFixture.route("stalled", "/stalled", "stalled"),
                        GatewayFixture.route("hints", "/hints", "hints")),
                List.of(GatewayFixture.upstream("echo", Duration.ofSeconds(30), echo.port()),
                        GatewayFixture.upstream("stalled", Duration.ofSeconds(60), stalled.port()),
                        GatewayFixture.upstream("hints", Duration.ofSeconds(30), hints.port()))));
    }

    @AfterAll
    static void release() {
        stallEnds.countDown();
    }

    /** The windows the gateway granted this client: the connection's and one stream's. */
    private static final class Windows {
        long connection = 65_535;
        long stream;
        int streamId;
        int nextProbe;

        final RawH2Connection h2;

        Windows(RawH2Connection h2, int streamId) {
            this.h2 = h2;
            this.stream = h2.serverSetting(0x4, 65_535);
            this.streamId = streamId;
            this.nextProbe = streamId + 2;
        }

        boolean open() {
            return connection >= CHUNK && stream >= CHUNK;
        }

        void sent() {
            connection -= CHUNK;
            stream -= CHUNK;
        }

        /** Applies a frame read (a header block keeps the HPACK table in step); fails on the end of the stream or connection. */
        void apply(Frame frame) throws Exception {
            if (frame == null || frame.type() == GOAWAY || (frame.type() == RST_STREAM && frame.streamId() == streamId)) {
                fail("the upload ended: " + (frame == null ? "closed" : frame.type() + " " + frame.errorCode()));
            }
            if (frame.type() == HEADERS) {
                h2.decode(frame);
            }
            if (frame.type() == WINDOW_UPDATE) {
                long increment = (frame.payload()[0] & 0x7fL) << 24 | (frame.payload()[1] & 0xff) << 16
                        | (frame.payload()[2] & 0xff) << 8 | (frame.payload()[3] & 0xff);
                if (frame.streamId() == 0) {
                    connection += increment;
                } else if (frame.streamId() == streamId) {
                    stream += increment;
                }
            }
        }

        /**
         * A request on a new stream, answered: the gateway wrote every WINDOW_UPDATE it grants for
         * what it read before that request's HEADERS before the answer (a PING would do, but PINGs
         * are rate-limited). What the answers' DATA took of the client's window is given back.
         */
        void roundTrip(RawH2Connection h2) throws Exception {
            int probe = nextProbe;
            nextProbe += 2;
            h2.frame(HEADERS, END_HEADERS | END_STREAM, probe, h2.encode(H2TestClient.head("GET", "/api/probe")))
                    .flush();
            Frame frame;
            while (true) {
                frame = h2.read();
                apply(frame);
                if (frame.type() == DATA && frame.payload().length > 0) {
                    h2.frame(WINDOW_UPDATE, 0, 0, RawH2Connection.rst(frame.payload().length));
                }
                if (frame.streamId() == probe && (frame.flags() & END_STREAM) != 0) {
                    return;
                }
                if (frame.streamId() == probe && frame.type() == RST_STREAM) {
                    fail("the probe was reset: " + frame.errorCode());
                }
            }
        }
    }

    @Test
    void aStalledUpstreamStallsTheUploadAndAResetGivesTheConnectionWindowBack() throws Exception {
        try (RawH2Connection h2 = RawH2Connection.connect(stack.address(), stack.pki().server.root(), client)) {
            h2.frame(HEADERS, END_HEADERS, 1, h2.encode(H2TestClient.head("POST", "/stalled/upload"))).flush();
            Windows windows = new Windows(h2, 1);
            byte[] chunk = new byte[CHUNK];
            long sent = 0;
            while (sent < LIMIT) {
                if (windows.open()) {
                    h2.frame(DATA, 0, 1, chunk);
                    windows.sent();
                    sent += CHUNK;
                    if (sent % (8 * CHUNK) == 0) {
                        h2.flush();
                    }
                    continue;
                }
                h2.flush();
                // Two round trips: a window still closed after them is a stalled upload.
                windows.roundTrip(h2);
                windows.roundTrip(h2);
                if (!windows.open()) {
                    break;
                }
            }
            assertTrue(sent < LIMIT, "the gateway granted window for " + sent + " bytes a stalled upstream never read");

            // The bytes that waited go back to the connection's window with the reset: a new upload
            // of more than a connection window goes through.
            h2.frame(RST_STREAM, 0, 1, RawH2Connection.rst(Http2Error.CANCEL.code()))
                    .frame(HEADERS, END_HEADERS, windows.nextProbe, h2.encode(H2TestClient.head("POST", "/api/after")))
                    .flush();
            int after = windows.nextProbe;
            Windows next = new Windows(h2, after);
            next.connection = windows.connection;
            int body = 0;
            while (body < 256 * 1024) {
                if (next.open()) {
                    h2.frame(DATA, 0, after, chunk).flush();
                    next.sent();
                    body += CHUNK;
                } else {
                    next.apply(h2.read());
                }
            }
            h2.frame(DATA, END_STREAM, after, new byte[0]).flush();
            String answer = h2.answer(after);
            assertTrue(answer.startsWith("200\n"), answer);
            assertTrue(answer.contains("B " + body + "\n"), answer);
        }
    }

    @Test
    void anInformationalResponseFromTheUpstreamLeavesTheAnswerWhole() throws Exception {
        try (RawH2Connection h2 = RawH2Connection.connect(stack.address(), stack.pki().server.root(), client)) {
            h2.frame(HEADERS, END_HEADERS | END_STREAM, 1, h2.encode(H2TestClient.head("GET", "/hints/page"))).flush();
            String answer = h2.answer(1);
            assertTrue(answer.endsWith("200\nok"), answer);
            h2.frame(HEADERS, END_HEADERS | END_STREAM, 3, h2.encode(H2TestClient.head("GET", "/api/next"))).flush();
            assertTrue(h2.answer(3).startsWith("200\n"));
        }
    }
}
