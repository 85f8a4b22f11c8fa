package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.mtlsgateway.config.AllowRule;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.RouteConfig;
import io.mtlsgateway.config.RouteMatch;
import io.mtlsgateway.config.UpstreamProtocol;
import io.mtlsgateway.gateway.testing.GrpcUpstream;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.GrpcClients;
import io.mtlsgateway.gateway.testing.StalledUpstream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a grpc-java client (mutual TLS, h2) makes of the errors the gateway answers itself: each is
 * a gRPC status, never a protocol error, with the gateway's error code as its description.
 */
class GrpcGatewayErrorsTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static final String SERVICE = "/grpc.testing.SimpleService/";

    private SimpleServiceGrpc.SimpleServiceBlockingStub stub(RouteConfig route, int upstreamPort,
            Duration responseTimeout) throws Exception {
        return stub(route, upstreamPort, responseTimeout, UpstreamProtocol.HTTP1);
    }

    private SimpleServiceGrpc.SimpleServiceBlockingStub stub(RouteConfig route, int upstreamPort,
            Duration responseTimeout, UpstreamProtocol protocol) throws Exception {
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE, List.of(route),
                List.of(GatewayFixture.upstream("backend", responseTimeout, upstreamPort).withProtocol(protocol))));
        ManagedChannel channel = GrpcClients.channel(stack.address(), stack.pki().server.root(),
                stack.pki().client("caller", "spiffe://test.example/ns/prod/sa/caller"));
        stack.keep(GrpcClients.closing(channel));
        return SimpleServiceGrpc.newBlockingStub(channel);
    }

    private static RouteConfig route(String prefix, List<AllowRule> allow) {
        return new RouteConfig("grpc", new RouteMatch(Optional.empty(), Optional.of(prefix), Map.of()), "backend",
                allow, Optional.empty());
    }

    private static Status call(SimpleServiceGrpc.SimpleServiceBlockingStub stub) {
        return assertThrows(StatusRuntimeException.class, () -> stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                .unaryRpc(SimpleRequest.newBuilder().setRequestMessage("hello").build())).getStatus();
    }

    private static void assertStatus(Status.Code code, String errorCode, Status status) {
        assertEquals(code, status.getCode(), status.toString());
        assertEquals("mtls-gateway: " + errorCode, status.getDescription());
    }

    private static int closedPort() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    @Test
    void noRouteIsUnimplemented() throws Exception {
        assertStatus(Status.Code.UNIMPLEMENTED, "no_route", call(stub(route("/other.Service/", List.of()),
                closedPort(), Duration.ofSeconds(30))));
    }

    @Test
    void aCallerTheRouteDoesNotAllowIsPermissionDenied() throws Exception {
        RouteConfig opsOnly = route(SERVICE, List.of(new AllowRule(AllowRule.Kind.SPIFFE, "spiffe://test.example/ns/ops/*")));
        assertStatus(Status.Code.PERMISSION_DENIED, "forbidden", call(stub(opsOnly, closedPort(), Duration.ofSeconds(30))));
    }

    @Test
    void anUpstreamThatIsDownIsUnavailable() throws Exception {
        assertStatus(Status.Code.UNAVAILABLE, "upstream_unavailable", call(stub(route(SERVICE, List.of()),
                closedPort(), Duration.ofSeconds(30))));
    }

    @Test
    void anH2cUpstreamThatIsDownIsUnavailable() throws Exception {
        assertStatus(Status.Code.UNAVAILABLE, "upstream_unavailable", call(stub(route(SERVICE, List.of()),
                closedPort(), Duration.ofSeconds(30), UpstreamProtocol.H2C)));
    }

    @Test
    void theRouteTimeoutIsDeadlineExceeded() throws Exception {
        StalledUpstream stalled = stack.keep(new StalledUpstream());
        assertStatus(Status.Code.DEADLINE_EXCEEDED, "upstream_timeout", call(stub(route(SERVICE, List.of()),
                stalled.port(), Duration.ofMillis(300))));
        // The gateway gave the upstream exchange up.
        assertEquals(true, stalled.awaitClosedByGateway());
    }

    @Test
    void theRouteTimeoutOfAnH2cUpstreamIsDeadlineExceededAndResetsTheUpstreamStream() throws Exception {
        GrpcUpstream upstream = stack.keep(GrpcUpstream.start());
        SimpleServiceGrpc.SimpleServiceBlockingStub stub = stub(route(SERVICE, List.of()), upstream.port(),
                Duration.ofMillis(300), UpstreamProtocol.H2C);
        Status status = assertThrows(StatusRuntimeException.class, () -> stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                .unaryRpc(SimpleRequest.newBuilder().setRequestMessage("hang").build())).getStatus();
        assertStatus(Status.Code.DEADLINE_EXCEEDED, "upstream_timeout", status);
        assertEquals(true, upstream.awaitCancelled(), "the upstream stream was not reset");
    }
}
