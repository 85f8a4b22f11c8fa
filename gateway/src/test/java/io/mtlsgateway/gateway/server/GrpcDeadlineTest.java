package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.config.UpstreamConfig;
import io.mtlsgateway.config.UpstreamProtocol;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.GrpcUpstream;
import io.mtlsgateway.gateway.testing.H2Upstream;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.H2TestClient.Reply;
import io.mtlsgateway.gateway.testing.StalledUpstream;
import io.mtlsgateway.gateway.testing.TrailerUpstream;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code grpc-timeout} over h2: the gateway waits for the upstream's response no longer than the
 * call's deadline (or the route's timeout, whichever ends first), answers DEADLINE_EXCEEDED in
 * gRPC form and gives the upstream exchange up; a malformed value is INVALID_ARGUMENT. Raw h2
 * requests, so that no client-side deadline races the gateway's.
 */
class GrpcDeadlineTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static IssuedCertificate client;

    private H2TestClient connect(StalledUpstream stalled, Duration routeTimeout) throws Exception {
        TrailerUpstream fast = stack.keep(new TrailerUpstream());
        client = stack.pki().client("app", "spiffe://test.example/ns/prod/sa/app");
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("stalled", "/stalled.Service/", "stalled"),
                        GatewayFixture.route("fast", "/fast.Service/", "fast")),
                List.of(GatewayFixture.upstream("stalled", routeTimeout, stalled.port()),
                        GatewayFixture.upstream("fast", Duration.ofSeconds(30), fast.port())),
                2, HttpSettings.defaults()));
        return stack.keep(H2TestClient.connect(stack.address(), stack.pki().server.root(), client));
    }

    private static Http2Headers call(String path, String grpcTimeout) {
        Http2Headers head = H2TestClient.head("POST", path).add("content-type", "application/grpc")
                .add("te", "trailers");
        if (grpcTimeout != null) {
            head.add("grpc-timeout", grpcTimeout);
        }
        return head;
    }

    /** One empty gRPC message (uncompressed, length 0), the end of the request stream. */
    private static final String EMPTY_MESSAGE = "\0\0\0\0\0";

    private static void assertTrailersOnly(Reply reply, int grpcStatus, String code) {
        assertEquals(200, reply.status(), reply.toString());
        assertEquals("application/grpc", reply.header("content-type"));
        assertEquals(String.valueOf(grpcStatus), reply.header("grpc-status"), reply.toString());
        assertEquals("mtls-gateway: " + code, reply.header("grpc-message"));
        assertEquals("", reply.body());
        assertNull(reply.trailers(), "trailers-only: the status is in the one header block");
    }

    @Test
    void aDeadlineShorterThanTheRouteTimeoutEndsTheWaitAndTheUpstreamExchange() throws Exception {
        StalledUpstream stalled = stack.keep(new StalledUpstream());
        H2TestClient h2 = connect(stalled, Duration.ofSeconds(60));
        Reply reply = h2.request(call("/stalled.Service/Wait", "300m"), EMPTY_MESSAGE, null).get(10, TimeUnit.SECONDS);
        assertTrailersOnly(reply, 4, "deadline_exceeded");
        // The upstream was asked (and told the deadline), then given up on: its connection closed.
        assertTrue(stalled.awaitHead().toLowerCase(Locale.ROOT).contains("grpc-timeout: 300m"), stalled.awaitHead());
        assertTrue(stalled.awaitClosedByGateway(), "the upstream exchange was not given up");
        double deadlines = AdminClient.value(new AdminClient(stack.gateway().adminAddress()).scrape(),
                "mtls_gateway_upstream_errors_total", "upstream", "stalled", "kind", "deadline");
        assertEquals(1.0, deadlines);
        // The connection goes on serving.
        assertEquals(200, h2.get("/fast.Service/after").status());
    }

    @Test
    void theRouteTimeoutStillAppliesWhenItIsTheShorter() throws Exception {
        StalledUpstream stalled = stack.keep(new StalledUpstream());
        H2TestClient h2 = connect(stalled, Duration.ofMillis(300));
        Reply reply = h2.request(call("/stalled.Service/Wait", "1H"), EMPTY_MESSAGE, null).get(10, TimeUnit.SECONDS);
        assertTrailersOnly(reply, 4, "upstream_timeout");
        assertTrue(stalled.awaitClosedByGateway());
    }

    @Test
    void aMalformedTimeoutIsInvalidArgumentAndReachesNoUpstream() throws Exception {
        StalledUpstream stalled = stack.keep(new StalledUpstream());
        H2TestClient h2 = connect(stalled, Duration.ofSeconds(60));
        for (String malformed : List.of("1h", "123456789m", "soon", "-1S")) {
            Reply reply = h2.request(call("/stalled.Service/Wait", malformed), EMPTY_MESSAGE, null)
                    .get(10, TimeUnit.SECONDS);
            assertTrailersOnly(reply, 3, "invalid_grpc_timeout");
        }
        Reply twice = h2.request(call("/stalled.Service/Wait", "1S").add("grpc-timeout", "2S"), EMPTY_MESSAGE, null)
                .get(10, TimeUnit.SECONDS);
        assertTrailersOnly(twice, 3, "invalid_grpc_timeout");
        assertEquals(200, h2.get("/fast.Service/after").status());
    }

    @Test
    void aTimeOfZeroHasPassedAlready() throws Exception {
        StalledUpstream stalled = stack.keep(new StalledUpstream());
        H2TestClient h2 = connect(stalled, Duration.ofSeconds(60));
        Reply reply = h2.request(call("/stalled.Service/Wait", "0S"), EMPTY_MESSAGE, null).get(10, TimeUnit.SECONDS);
        assertTrailersOnly(reply, 4, "deadline_exceeded");
    }

    private H2TestClient connectH2c(int upstreamPort) throws Exception {
        client = stack.pki().client("app", "spiffe://test.example/ns/prod/sa/app");
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("grpc", "/grpc.testing.SimpleService/", "grpc")),
                // A connect timeout no busy machine reaches: the first connection to a server that has
                // served none yet (grpc-java loads its classes then) must not be the test's subject.
                List.of(new UpstreamConfig("grpc", List.of(new HostPort("127.0.0.1", upstreamPort)),
                        Duration.ofSeconds(30), Duration.ofSeconds(60), UpstreamConfig.DEFAULT_IDLE_TIMEOUT,
                        UpstreamConfig.DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT, Optional.empty())
                        .withProtocol(UpstreamProtocol.H2C)),
                2, HttpSettings.defaults()));
        return stack.keep(H2TestClient.connect(stack.address(), stack.pki().server.root(), client));
    }

    @Test
    void aDeadlineResetsTheStreamOfAnH2cUpstream() throws Exception {
        // An upstream that knows no deadline of its own: only the gateway can end the stream.
        H2Upstream upstream = stack.keep(H2Upstream.cleartext(100));
        H2TestClient h2 = connectH2c(upstream.port());
        // The upstream connection is made first (on this client connection's loop), so the call
        // reaches the upstream within its deadline however busy the machine is.
        assertEquals(200, h2.get("/grpc.testing.SimpleService/warm").status());
        Reply reply = h2.request(call("/grpc.testing.SimpleService/never", "1S"), EMPTY_MESSAGE, null)
                .get(15, TimeUnit.SECONDS);
        assertTrailersOnly(reply, 4, "deadline_exceeded");
        assertEquals(2, upstream.requests().size(), "the call had reached the upstream");
        assertEquals(Http2Error.CANCEL.code(), upstream.awaitReset(), "the upstream stream was not reset");
        assertEquals(1.0, AdminClient.value(new AdminClient(stack.gateway().adminAddress()).scrape(),
                "mtls_gateway_upstream_errors_total", "upstream", "grpc", "kind", "deadline"));
    }

    /**
     * grpc-java gives a call up at the deadline it was told, counted from the call's arrival there
     * (a little after the gateway's), and resets the stream. On a busy machine the gateway reads that
     * reset in the loop turn its own timer falls due in, and I/O runs first: the call still ended by
     * its deadline (it was once answered UNAVAILABLE, as a reset upstream).
     */
    @Test
    void anUpstreamThatGivesTheCallUpAtTheSameDeadlineIsStillDeadlineExceeded() throws Exception {
        GrpcUpstream grpc = stack.keep(GrpcUpstream.start());
        H2TestClient h2 = connectH2c(grpc.port());
        // A first call makes the upstream connection (and warms the server), so the next one
        // reaches the server within its deadline and the server's own clock runs too.
        String hi = "\0\0\0\0\4\n\2hi";
        Reply warm = h2.request(call("/grpc.testing.SimpleService/UnaryRpc", null), hi, null).get(15, TimeUnit.SECONDS);
        assertEquals("0", warm.trailers() == null ? warm.header("grpc-status") : warm.trailers().get("grpc-status")
                .toString(), warm.toString());
        // One SimpleRequest {requestMessage: "hang"}: the server never answers it.
        String hang = "\0\0\0\0\6\n\4hang";
        Reply reply = h2.request(call("/grpc.testing.SimpleService/UnaryRpc", "1S"), hang, null)
                .get(15, TimeUnit.SECONDS);
        assertTrailersOnly(reply, 4, "deadline_exceeded");
        assertTrue(grpc.awaitCancelled(), "the call did not end upstream");
        assertEquals(1.0, AdminClient.value(new AdminClient(stack.gateway().adminAddress()).scrape(),
                "mtls_gateway_upstream_errors_total", "upstream", "grpc", "kind", "deadline"));
    }
}
