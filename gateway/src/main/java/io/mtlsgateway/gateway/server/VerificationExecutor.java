package io.mtlsgateway.gateway.server;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where client chains are verified, off the event loops: the TLS engine hands its verification
 * task here. Bounded: under a handshake flood the queue fills and the event loop verifies inline
 * (without network: OCSP then uses cached answers only) rather than letting memory grow without limit.
 */
final class VerificationExecutor {
    private VerificationExecutor() {}

    static ThreadPoolExecutor create() {
        int verifiers = Math.max(2, Runtime.getRuntime().availableProcessors());
        return new ThreadPoolExecutor(verifiers, verifiers, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(4096),
                new BlockingAllowed(), new ThreadPoolExecutor.CallerRunsPolicy());
    }

    /**
     * Netty's threads, told apart from event loops: these may wait (for an OCSP responder, for the
     * next task), and say so, so Netty's BlockHound integration does not count them as event loops.
     */
    private static final class BlockingAllowed extends DefaultThreadFactory {
        BlockingAllowed() {
            super("gateway-verify", true);
        }

        @Override
        protected Thread newThread(Runnable task, String name) {
            return new FastThreadLocalThread(threadGroup, task, name) {
                @Override
                public boolean permitBlockingCalls() {
                    return true;
                }
            };
        }
    }
}
