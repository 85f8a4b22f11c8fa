package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.gateway.ExchangeDeadline;
import io.mtlsgateway.gateway.LimitedBody;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * OCSP over HTTP POST ({@code application/ocsp-request}, RFC 6960 appendix A) with the JDK client.
 * One shared client per JVM: it owns a selector thread, and verifiers come and go with reloads.
 */
final class HttpOcspFetcher implements OcspFetcher {
    static final int MAX_RESPONSE_BYTES = 64 * 1024;

    private static final class Shared {
        static final HttpClient CLIENT = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor())
                .build();

        private static ExecutorService executor() {
            AtomicInteger count = new AtomicInteger();
            return Executors.newCachedThreadPool(task -> {
                Thread thread = new Thread(task, "gateway-ocsp-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
        }
    }

    private final Duration timeout;

    HttpOcspFetcher(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public CompletableFuture<byte[]> fetch(URI responder, byte[] request) {
        HttpRequest post = HttpRequest.newBuilder(responder)
                .timeout(timeout)
                .header("Content-Type", "application/ocsp-request")
                .header("Accept", "application/ocsp-response")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request))
                .build();
        // The responder URL comes from the certificate and OCSP is plain HTTP, so whoever answers may
        // send without end: the body is capped as it arrives and the whole exchange has the deadline.
        return ExchangeDeadline.bound(Shared.CLIENT.sendAsync(post, LimitedBody.handler(MAX_RESPONSE_BYTES)), timeout)
                .thenApply(response -> {
                    if (response.statusCode() != 200) {
                        throw new java.util.concurrent.CompletionException(
                                new IOException("responder answered HTTP " + response.statusCode()));
                    }
                    return response.body();
                });
    }
}
