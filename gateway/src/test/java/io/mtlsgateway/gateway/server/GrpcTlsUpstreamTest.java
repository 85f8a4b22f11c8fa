package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.GrpcClients;
import io.mtlsgateway.gateway.testing.GrpcUpstream;
import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.UpstreamPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * gRPC through the gateway to a grpc-java server over TLS ({@code protocol: h2}, ALPN h2), which
 * requires the gateway's client certificate: mutual TLS on both hops.
 */
class GrpcTlsUpstreamTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @Test
    void callsAGrpcServerOverMutualTlsOnBothHops() throws Exception {
        UpstreamPki upstreamPki = new UpstreamPki(stack.dir());
        GrpcUpstream upstream = stack.keep(GrpcUpstream.startTls(upstreamPki.server,
                upstreamPki.gatewayClientCa.certificate()));
        Path routeFile = stack.dir().resolve("routes.yaml");
        Files.writeString(routeFile, RouteFile.text(stack.pki(),
                "  - name: grpc\n    match: { pathPrefix: /grpc.testing.SimpleService/ }\n    upstream: echo\n",
                upstream.port(), "") + "    protocol: h2\n" + upstreamPki.tlsBlock(""));
        stack.start(ConfigLoader.load(routeFile), GatewayServer.FileWatching.OFF);
        ManagedChannel channel = GrpcClients.channel(stack.gateway().address(GatewayFixture.LISTENER),
                stack.pki().server.root(), stack.pki().client("caller", "spiffe://test.example/ns/prod/sa/caller"));
        stack.keep(GrpcClients.closing(channel));
        SimpleServiceGrpc.SimpleServiceBlockingStub stub = SimpleServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS);

        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        assertEquals("echo:over tls", stub.withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers,
                trailers)).unaryRpc(SimpleRequest.newBuilder().setRequestMessage("over tls").build())
                .getResponseMessage());
        assertEquals("UnaryRpc", trailers.get().get(GrpcUpstream.UPSTREAM_TRAILER));
        assertEquals("CN=caller,O=Test", upstream.nextRequestHeaders()
                .get(Metadata.Key.of("x-client-subject", Metadata.ASCII_STRING_MARSHALLER)));

        Iterator<io.grpc.testing.protobuf.SimpleResponse> stream = stub.serverStreamingRpc(
                SimpleRequest.newBuilder().setRequestMessage("20x5000").build());
        int count = 0;
        while (stream.hasNext()) {
            assertEquals(5000, stream.next().getResponseMessage().length());
            count++;
        }
        assertEquals(20, count);

        StatusRuntimeException error = assertThrows(StatusRuntimeException.class,
                () -> stub.unaryRpc(SimpleRequest.newBuilder().setRequestMessage("fail").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, error.getStatus().getCode());
        assertEquals("42", error.getTrailers().get(GrpcUpstream.ERROR_DETAIL));
    }
}
