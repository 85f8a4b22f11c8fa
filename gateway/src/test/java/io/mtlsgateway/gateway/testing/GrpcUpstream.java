package io.mtlsgateway.gateway.testing;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real grpc-java server of {@code grpc.testing.SimpleService} on loopback, cleartext h2
 * (prior knowledge, the gateway's {@code h2c} upstream). What each call does:
 * <ul>
 *   <li>UnaryRpc: answers {@code echo:<message>}; the message {@code fail} is answered with
 *       FAILED_PRECONDITION, a description and trailing metadata {@code x-error-detail}</li>
 *   <li>ClientStreamingRpc: answers {@code n=<messages> chars=<characters>} at the client's end</li>
 *   <li>ServerStreamingRpc: {@code <count>x<size>} streams count messages of size characters,
 *       sending only while the call is ready (h2 flow control lets it)</li>
 *   <li>BidiStreamingRpc: answers each message with {@code bidi:<message>}</li>
 * </ul>
 * Every call's request metadata is kept, and every call ends with trailing metadata
 * {@code x-upstream-trailer: <method>}.
 */
public final class GrpcUpstream implements AutoCloseable {
    public static final Metadata.Key<String> UPSTREAM_TRAILER =
            Metadata.Key.of("x-upstream-trailer", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> ERROR_DETAIL =
            Metadata.Key.of("x-error-detail", Metadata.ASCII_STRING_MARSHALLER);

    private final Server server;
    private final BlockingQueue<Metadata> requestHeaders = new LinkedBlockingQueue<>();
    private final AtomicLong streamedMessages = new AtomicLong();
    private final CountDownLatch cancelled = new CountDownLatch(1);

    private GrpcUpstream(Server server) {
        this.server = server;
    }

    public static GrpcUpstream start() throws IOException {
        return start(NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    }

    /**
     * The same service over TLS (ALPN {@code h2}, the gateway's {@code h2} upstream), requiring a
     * client certificate from {@code clientCa}.
     */
    public static GrpcUpstream startTls(IssuedCertificate certificate, X509Certificate clientCa) throws IOException {
        SslContext tls = GrpcSslContexts.configure(SslContextBuilder.forServer(certificate.privateKey(),
                        certificate.chainWithoutRoot().toArray(X509Certificate[]::new)))
                .trustManager(clientCa)
                .clientAuth(ClientAuth.REQUIRE)
                .build();
        return start(NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sslContext(tls));
    }

    private static GrpcUpstream start(NettyServerBuilder builder) throws IOException {
        GrpcUpstream[] self = new GrpcUpstream[1];
        ServerInterceptor interceptor = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                self[0].requestHeaders.add(headers);
                String method = call.getMethodDescriptor().getBareMethodName();
                ServerCall<Q, R> tagged = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    @Override
                    public void close(Status status, Metadata trailers) {
                        trailers.put(UPSTREAM_TRAILER, method);
                        super.close(status, trailers);
                    }
                };
                return next.startCall(tagged, headers);
            }
        };
        Server server = builder
                .addService(ServerInterceptors.intercept(new Service(() -> self[0]), interceptor))
                .build();
        self[0] = new GrpcUpstream(server);
        server.start();
        return self[0];
    }

    public int port() {
        return server.getPort();
    }

    /** The request metadata of the next call, in arrival order. */
    public Metadata nextRequestHeaders() throws InterruptedException {
        Metadata headers = requestHeaders.poll(10, TimeUnit.SECONDS);
        if (headers == null) {
            throw new AssertionError("no call reached the gRPC upstream");
        }
        return headers;
    }

    /** Forgets the metadata of the calls so far. */
    public void forgetRequestHeaders() {
        requestHeaders.clear();
    }

    /** Messages server streams have handed to gRPC so far (gRPC holds at most ~32 KiB unsent). */
    public long streamedMessages() {
        return streamedMessages.get();
    }

    /** Whether a call was cancelled (its stream reset by the gateway) within 10 s. */
    public boolean awaitCancelled() throws InterruptedException {
        return cancelled.await(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(10, TimeUnit.SECONDS);
    }

    private static final class Service extends SimpleServiceGrpc.SimpleServiceImplBase {
        private final java.util.function.Supplier<GrpcUpstream> upstream;

        Service(java.util.function.Supplier<GrpcUpstream> upstream) {
            this.upstream = upstream;
        }

        private static SimpleResponse response(String message) {
            return SimpleResponse.newBuilder().setResponseMessage(message).build();
        }

        @Override
        public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
            ((ServerCallStreamObserver<SimpleResponse>) responses).setOnCancelHandler(upstream.get().cancelled::countDown);
            if (request.getRequestMessage().equals("fail")) {
                Metadata trailers = new Metadata();
                trailers.put(ERROR_DETAIL, "42");
                responses.onError(Status.FAILED_PRECONDITION.withDescription("not today: ünïcode & 100%")
                        .asRuntimeException(trailers));
                return;
            }
            if (request.getRequestMessage().equals("hang")) {
                return; // never answered: the call ends when the caller gives up
            }
            responses.onNext(response("echo:" + request.getRequestMessage()));
            responses.onCompleted();
        }

        @Override
        public StreamObserver<SimpleRequest> clientStreamingRpc(StreamObserver<SimpleResponse> responses) {
            return new StreamObserver<>() {
                private long messages;
                private long chars;

                @Override
                public void onNext(SimpleRequest request) {
                    messages++;
                    chars += request.getRequestMessage().length();
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {
                    responses.onNext(response("n=" + messages + " chars=" + chars));
                    responses.onCompleted();
                }
            };
        }

        @Override
        public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
            GrpcUpstream self = upstream.get();
            String[] spec = request.getRequestMessage().split("x");
            long count = Long.parseLong(spec[0]);
            SimpleResponse message = response("m".repeat(Integer.parseInt(spec[1])));
            ServerCallStreamObserver<SimpleResponse> call = (ServerCallStreamObserver<SimpleResponse>) responses;
            long[] sent = {0};
            boolean[] done = {false};
            call.setOnCancelHandler(self.cancelled::countDown);
            call.setOnReadyHandler(() -> {
                while (call.isReady() && sent[0] < count) {
                    call.onNext(message);
                    sent[0]++;
                    self.streamedMessages.incrementAndGet();
                }
                if (sent[0] == count && !done[0]) {
                    done[0] = true;
                    call.onCompleted();
                }
            });
        }

        @Override
        public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> responses) {
            return new StreamObserver<>() {
                @Override
                public void onNext(SimpleRequest request) {
                    responses.onNext(response("bidi:" + request.getRequestMessage()));
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {
                    responses.onCompleted();
                }
            };
        }
    }
}
