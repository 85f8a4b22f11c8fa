package io.mtlsgateway.gateway.server;

import io.mtlsgateway.gateway.BlockingThreads;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where client chains are verified, off the event loops: the TLS engine hands its verification
 * task here. Bounded: under a handshake flood the queue fills and the event loop verifies inline
 * (without network: OCSP then uses cached answers only) rather than letting memory grow without limit.
 * Its threads may block (an OCSP responder), and say so ({@link BlockingThreads}).
 */
final class VerificationExecutor {
    private VerificationExecutor() {}

    static ThreadPoolExecutor create() {
        int verifiers = Math.max(2, Runtime.getRuntime().availableProcessors());
        return new ThreadPoolExecutor(verifiers, verifiers, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(4096),
                BlockingThreads.named("gateway-verify"),
                new ThreadPoolExecutor.CallerRunsPolicy());
    }
}
