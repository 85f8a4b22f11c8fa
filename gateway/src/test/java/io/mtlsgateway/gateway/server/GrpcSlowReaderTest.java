package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.GrpcClients;
import io.mtlsgateway.gateway.testing.GrpcFramedUpstream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A grpc-java client that takes the messages of a long server stream one at a time, with a small
 * h2 receive window, through the gateway from an HTTP/1.1 upstream: h2 flow control towards the
 * client stops the gateway reading the upstream, and every message still arrives, including
 * messages larger than the client's whole window.
 */
class GrpcSlowReaderTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @ParameterizedTest
    @ValueSource(ints = {16 * 1024, 64 * 1024, 200 * 1024})
    void aSlowClientGetsEveryMessage(int size) throws Exception {
        int count = 256;
        GrpcFramedUpstream upstream = stack.keep(new GrpcFramedUpstream(count, size));
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("grpc", "/grpc.testing.SimpleService/", "grpc")),
                List.of(GatewayFixture.upstream("grpc", Duration.ofSeconds(60), upstream.port()))));
        ManagedChannel slow = GrpcClients.channel(stack.address(), stack.pki().server.root(),
                stack.pki().client("slow", "spiffe://test.example/ns/prod/sa/slow"), 64 * 1024);
        stack.keep(GrpcClients.closing(slow));
        BlockingQueue<Integer> arrived = new LinkedBlockingQueue<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicReference<ClientCallStreamObserver<SimpleRequest>> call = new AtomicReference<>();
        SimpleServiceGrpc.newStub(slow).withDeadlineAfter(120, TimeUnit.SECONDS).serverStreamingRpc(
                SimpleRequest.newBuilder().setRequestMessage("stream").build(),
                new ClientResponseObserver<SimpleRequest, SimpleResponse>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<SimpleRequest> requestStream) {
                        requestStream.disableAutoRequestWithInitial(1);
                        call.set(requestStream);
                    }

                    @Override
                    public void onNext(SimpleResponse value) {
                        arrived.add(value.getResponseMessage().length());
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        for (int received = 1; received <= count; received++) {
            Integer length = arrived.poll(30, TimeUnit.SECONDS);
            assertEquals(size, length, "message " + received + " did not come; the upstream had written "
                    + upstream.written() + "; " + done);
            call.get().request(1);
        }
        done.get(30, TimeUnit.SECONDS);
        assertNull(arrived.poll());
        assertTrue(upstream.written() == count);
    }
}
