package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.ScriptedUpstream;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.testing.TlsTestClient;
import io.mtlsgateway.gateway.testing.TlsTestClient.Response;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request smuggling over real sockets: every ambiguous request gets an error and a closed
 * connection, and the upstream — a raw socket recording every request head it reads — never sees
 * it, nor the request hidden behind it.
 */
class SmugglingTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    private static final String HIDDEN = "GET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n";

    static TestPki pki;
    static ScriptedUpstream upstream;
    static final Queue<String> received = new ConcurrentLinkedQueue<>();
    static GatewayServer gateway;
    static IssuedCertificate client;

    @BeforeAll
    static void start() throws Exception {
        pki = stack.pki();
        client = pki.client("smuggler", null);
        upstream = stack.keep(ScriptedUpstream.start(c -> {
            for (String head; (head = c.readHead()) != null; ) {
                received.add(head);
                // Bodies are not read: any request with one is answered and the connection closed.
                boolean hasBody = head.toLowerCase(java.util.Locale.ROOT).contains("content-length: ")
                        && !head.toLowerCase(java.util.Locale.ROOT).contains("content-length: 0")
                        || head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding");
                c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + (hasBody ? "Connection: close\r\n" : "")
                        + "\r\nok");
                if (hasBody) {
                    return;
                }
            }
        }));
        gateway = stack.start(GatewayFixture.config(pki, ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("all", "/", "app")),
                List.of(GatewayFixture.upstream("app", Duration.ofSeconds(20), upstream.port()))));
    }

    static Stream<Arguments> vectors() {
        String post = "POST /api HTTP/1.1\r\nHost: localhost\r\n";
        return Stream.of(
                Arguments.of("CL.TE", 400, post + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX"),
                Arguments.of("TE.CL", 400, post + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"),
                Arguments.of("two different lengths", 400, post + "Content-Length: 0\r\nContent-Length: 5\r\n\r\nhello"),
                Arguments.of("two equal lengths", 400, post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
                Arguments.of("length list", 400, post + "Content-Length: 5, 5\r\n\r\nhello"),
                Arguments.of("signed length", 400, post + "Content-Length: +5\r\n\r\nhello"),
                Arguments.of("hex length", 400, post + "Content-Length: 0x5\r\n\r\nhello"),
                Arguments.of("negative length", 400, post + "Content-Length: -1\r\n\r\n"),
                Arguments.of("bad chunk size", 400, post + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk size overflow", 400,
                        post + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunked then identity", 400, post + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"),
                Arguments.of("xchunked", 400, post + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("space before colon", 400, post + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("obs-fold", 400, "GET /api HTTP/1.1\r\nHost: localhost\r\nX-Folded: a\r\n b\r\n\r\n"),
                Arguments.of("obs-fold on Transfer-Encoding", 400,
                        post + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("bare LF", 400, "GET /api HTTP/1.1\nHost: localhost\n\n"),
                Arguments.of("bad header name character", 400, "GET /api HTTP/1.1\r\nHost: localhost\r\nX(y): 1\r\n\r\n"),
                Arguments.of("NUL in a value", 400, "GET /api HTTP/1.1\r\nHost: localhost\r\nX-A: a\u0000b\r\n\r\n"),
                Arguments.of("CR in a value", 400, "GET /api HTTP/1.1\r\nHost: localhost\r\nX-A: a\rb\r\n\r\n"),
                Arguments.of("HTTP/0.9", 400, "GET /api\r\n\r\n"),
                Arguments.of("non-ASCII byte in the path", 400, "GET /caf\u00e9 HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                Arguments.of("non-ASCII byte in the query", 400, "GET /api?q=\u00ff HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                Arguments.of("tab in the request line", 400, "GET\t/api HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                Arguments.of("TRACK (IIS's TRACE)", 405, "TRACK /api HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                Arguments.of("a method nobody reviewed", 501, "PROPFIND /api HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                Arguments.of("asterisk form on GET", 400, "GET * HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                Arguments.of("Host port above 65535", 400, "GET /api HTTP/1.1\r\nHost: localhost:65536\r\n\r\n"),
                Arguments.of("two Host headers", 400, "GET /api HTTP/1.1\r\nHost: localhost\r\nHost: evil\r\n\r\n"),
                Arguments.of("no Host", 400, "GET /api HTTP/1.1\r\n\r\n"),
                Arguments.of("absolute form for another host", 400, "GET http://evil/api HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                Arguments.of("encoded slash", 400, "GET /api%2f..%2fadmin HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                Arguments.of("climbing above the root", 400, "GET /../admin HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                Arguments.of("HTTP/1.2", 505, "GET /api HTTP/1.2\r\nHost: localhost\r\n\r\n"),
                Arguments.of("request line too long", 414, "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                Arguments.of("header block too large", 431,
                        "GET /api HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "b".repeat(17000) + "\r\n\r\n"),
                Arguments.of("too many headers", 431, "GET /api HTTP/1.1\r\nHost: localhost\r\n"
                        + "X-H: 1\r\n".repeat(101) + "\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void refusesAndClosesWithoutForwardingAnything(String name, int status, String request) throws Exception {
        received.clear();
        try (TlsTestClient connection = connect()) {
            Response response = connection.send(request + HIDDEN).readResponse();
            assertEquals(status, response.status(), name);
            assertEquals("close", response.headers().get("connection"), name);
            assertTrue(connection.closedByServer(), name + ": the connection must be closed");
        }
        // A request that reached the upstream would have been read before a new one is answered.
        try (TlsTestClient connection = connect()) {
            assertEquals(200, connection.send("GET /probe HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
        }
        assertEquals(List.of("/probe"), received.stream().map(SmugglingTest::target).toList(),
                name + ": only the probe may reach the upstream");
    }

    @Test
    void forwardsTheSamePathItRoutedOn() throws Exception {
        received.clear();
        try (TlsTestClient connection = connect()) {
            assertEquals(200, connection.send("GET /a/./b/../c//d HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .readResponse().status());
        }
        assertEquals(List.of("/a/c/d"), received.stream().map(SmugglingTest::target).toList());
    }

    @Test
    void answersOptionsAsteriskItselfAndKeepsTheConnection() throws Exception {
        received.clear();
        try (TlsTestClient connection = connect()) {
            Response options = connection.send("OPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse();
            assertEquals(204, options.status());
            assertEquals("GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH", options.headers().get("allow"));
            assertEquals(200, connection.send("GET /after HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse().status());
        }
        assertEquals(List.of("/after"), received.stream().map(SmugglingTest::target).toList());
    }

    @Test
    void forwardsTheContentLengthItFramedTheBodyWith() throws Exception {
        received.clear();
        try (TlsTestClient connection = connect()) {
            assertEquals(200, connection.send("POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0005\r\n\r\nhello")
                    .readResponse().status());
        }
        String head = received.poll().toLowerCase(java.util.Locale.ROOT);
        assertTrue(head.contains("\r\ncontent-length: 5\r\n"), head);
    }

    private static String target(String head) {
        String requestLine = head.substring(0, head.indexOf('\r'));
        return requestLine.split(" ")[1];
    }

    private static TlsTestClient connect() throws Exception {
        return TlsTestClient.connect(gateway.address(GatewayFixture.LISTENER), pki.server.root(), client);
    }
}
