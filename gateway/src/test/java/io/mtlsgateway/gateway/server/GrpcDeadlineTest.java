package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.config.UpstreamProtocol;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.AdminClient;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.GrpcUpstream;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.testing.H2TestClient.Reply;
import io.mtlsgateway.gateway.testing.StalledUpstream;
import io.mtlsgateway.gateway.testing.TrailerUpstream;
import io.netty.handler.codec.http2.Http2Headers;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
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

    @Test
    void aDeadlineResetsTheStreamOfAnH2cUpstream() throws Exception {
        GrpcUpstream grpc = stack.keep(GrpcUpstream.start());
        client = stack.pki().client("app", "spiffe://test.example/ns/prod/sa/app");
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("grpc", "/grpc.testing.SimpleService/", "grpc")),
                List.of(GatewayFixture.upstream("grpc", Duration.ofSeconds(60), grpc.port())
                        .withProtocol(UpstreamProtocol.H2C)),
                2, HttpSettings.defaults()));
        H2TestClient h2 = stack.keep(H2TestClient.connect(stack.address(), stack.pki().server.root(), client));
        // One SimpleRequest {requestMessage: "hang"}: the server never answers it.
        String hang = "\0\0\0\0\6\n\4hang";
        Reply reply = h2.request(call("/grpc.testing.SimpleService/UnaryRpc", "3S"), hang, null)
                .get(15, TimeUnit.SECONDS);
        assertTrailersOnly(reply, 4, "deadline_exceeded");
        grpc.nextRequestHeaders(); // the call had reached the server (3 s is ample), so it has a stream to reset
        assertTrue(grpc.awaitCancelled(), "the upstream stream was not reset");
    }
}
