package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.UpstreamProtocol;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.GrpcClients;
import io.mtlsgateway.gateway.testing.GrpcUpstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * gRPC through the gateway end to end: a grpc-java client (mutual TLS, h2, a client certificate)
 * calls a real grpc-java server behind the gateway ({@code protocol: h2c}) with all four kinds of
 * call; statuses, messages and trailing metadata arrive intact; identity headers reach the server
 * as metadata, forged ones never do; flow control holds a server stream back when the client does
 * not read, so the gateway buffers only a bounded amount.
 */
class GrpcEndToEndTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static final String SPIFFE = "spiffe://test.example/ns/prod/sa/caller";
    static final Metadata.Key<String> SPIFFE_HEADER = Metadata.Key.of("x-client-spiffe-id", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> SUBJECT_HEADER = Metadata.Key.of("x-client-subject", Metadata.ASCII_STRING_MARSHALLER);

    static GrpcUpstream upstream;
    static IssuedCertificate client;
    static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        upstream = stack.keep(GrpcUpstream.start());
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("grpc", "/grpc.testing.SimpleService/", "grpc")),
                List.of(GatewayFixture.upstream("grpc", Duration.ofSeconds(60), upstream.port())
                        .withProtocol(UpstreamProtocol.H2C))));
        client = stack.pki().client("caller", SPIFFE);
        channel = GrpcClients.channel(stack.address(), stack.pki().server.root(), client);
        stack.keep(GrpcClients.closing(channel));
    }

    private static SimpleRequest request(String message) {
        return SimpleRequest.newBuilder().setRequestMessage(message).build();
    }

    private static SimpleServiceGrpc.SimpleServiceBlockingStub blocking() {
        return SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Test
    void unaryWithTheTrailersOfTheServer() throws Exception {
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        SimpleResponse response = blocking()
                .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
                .unaryRpc(request("hello"));
        assertEquals("echo:hello", response.getResponseMessage());
        assertEquals("UnaryRpc", trailers.get().get(GrpcUpstream.UPSTREAM_TRAILER));
    }

    @Test
    void theServersErrorStatusArrivesIntact() throws Exception {
        StatusRuntimeException error = assertThrows(StatusRuntimeException.class,
                () -> blocking().unaryRpc(request("fail")));
        assertEquals(Status.Code.FAILED_PRECONDITION, error.getStatus().getCode());
        // grpc-message is percent-encoded on the wire: passed through, it decodes to the same text.
        assertEquals("not today: ünïcode & 100%", error.getStatus().getDescription());
        assertEquals("42", error.getTrailers().get(GrpcUpstream.ERROR_DETAIL));
        assertEquals("UnaryRpc", error.getTrailers().get(GrpcUpstream.UPSTREAM_TRAILER));
    }

    @Test
    void serverStreaming() throws Exception {
        Iterator<SimpleResponse> stream = blocking().serverStreamingRpc(request("50x1000"));
        int count = 0;
        while (stream.hasNext()) {
            assertEquals(1000, stream.next().getResponseMessage().length());
            count++;
        }
        assertEquals(50, count);
    }

    @Test
    void clientStreaming() throws Exception {
        CompletableFuture<SimpleResponse> answer = new CompletableFuture<>();
        StreamObserver<SimpleRequest> requests = SimpleServiceGrpc.newStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS).clientStreamingRpc(observer(answer));
        for (int i = 0; i < 100; i++) {
            requests.onNext(request("x".repeat(1000)));
        }
        requests.onCompleted();
        assertEquals("n=100 chars=100000", answer.get(30, TimeUnit.SECONDS).getResponseMessage());
    }

    @Test
    void bidirectionalStreamingInLockstep() throws Exception {
        BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<SimpleRequest> requests = SimpleServiceGrpc.newStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS).bidiStreamingRpc(new StreamObserver<>() {
                    @Override
                    public void onNext(SimpleResponse value) {
                        answers.add(value.getResponseMessage());
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
        // Each answer comes back before the next message is sent: nothing waits for the request's end.
        for (int i = 0; i < 10; i++) {
            requests.onNext(request("m" + i));
            assertEquals("bidi:m" + i, answers.poll(30, TimeUnit.SECONDS));
        }
        requests.onCompleted();
        done.get(30, TimeUnit.SECONDS);
    }

    @Test
    void identityReachesTheServerAsMetadataAndForgedIdentityIsStripped() throws Exception {
        Metadata forged = new Metadata();
        forged.put(SPIFFE_HEADER, "spiffe://test.example/ns/prod/sa/admin");
        forged.put(SUBJECT_HEADER, "CN=admin");
        upstream.forgetRequestHeaders();
        assertEquals("echo:who", blocking().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(forged))
                .unaryRpc(request("who")).getResponseMessage());
        Metadata seen = upstream.nextRequestHeaders();
        assertEquals(List.of(SPIFFE), toList(seen.getAll(SPIFFE_HEADER)));
        assertEquals(List.of("CN=caller,O=Test"), toList(seen.getAll(SUBJECT_HEADER)));
    }

    @Test
    void aDeadlineTheServerDoesNotMeetIsDeadlineExceededAndTheUpstreamCallIsCancelled() throws Exception {
        StatusRuntimeException error = assertThrows(StatusRuntimeException.class,
                () -> SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(500, TimeUnit.MILLISECONDS)
                        .unaryRpc(request("hang")));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, error.getStatus().getCode());
        // Whichever timer fired first, the client's or the gateway's: the upstream stream was reset.
        assertTrue(upstream.awaitCancelled(), "the upstream call was not cancelled");
    }

    /**
     * A client that reads one message of a 64 MiB server stream, then nothing: the server is held
     * back by flow control through the gateway. Checked at every message the client then takes
     * one by one: the server is never more than a bounded amount ahead of the client, so the
     * gateway (between them) holds at most that much.
     */
    @Test
    void aSlowReaderHoldsTheServerStreamBackThroughTheGateway() throws Exception {
        int size = 64 * 1024;
        int count = 1024;
        long bound = 256; // messages: 16 MiB, far more than every window and buffer on the way
        ManagedChannel slow = GrpcClients.channel(stack.address(), stack.pki().server.root(), client, 64 * 1024);
        stack.keep(GrpcClients.closing(slow));
        long before = upstream.streamedMessages();
        BlockingQueue<Integer> arrived = new LinkedBlockingQueue<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicReference<ClientCallStreamObserver<SimpleRequest>> call = new AtomicReference<>();
        SimpleServiceGrpc.newStub(slow).withDeadlineAfter(120, TimeUnit.SECONDS).serverStreamingRpc(
                request(count + "x" + size), new ClientResponseObserver<SimpleRequest, SimpleResponse>() {
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
        long maxAhead = 0;
        for (int received = 1; received <= count; received++) {
            Integer length = arrived.poll(60, TimeUnit.SECONDS);
            assertEquals(size, length, "message " + received + " did not come; the server had sent "
                    + (upstream.streamedMessages() - before) + "; " + done);
            long ahead = upstream.streamedMessages() - before - received;
            maxAhead = Math.max(maxAhead, ahead);
            assertTrue(ahead <= bound, "the server got " + ahead + " messages ahead of the client");
            call.get().request(1);
        }
        done.get(60, TimeUnit.SECONDS);
        assertEquals(count, upstream.streamedMessages() - before);
        assertNull(arrived.poll(), "more messages than the server sent");
    }

    private static List<String> toList(Iterable<String> values) {
        List<String> list = new ArrayList<>();
        if (values != null) {
            values.forEach(list::add);
        }
        return list;
    }

    private static StreamObserver<SimpleResponse> observer(CompletableFuture<SimpleResponse> answer) {
        return new StreamObserver<>() {
            private SimpleResponse last;

            @Override
            public void onNext(SimpleResponse value) {
                last = value;
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                answer.complete(last);
            }
        };
    }
}
