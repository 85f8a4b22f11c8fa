package io.mtlsgateway.gateway;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.ThreadFactory;

/**
 * Daemon threads of Netty's kind that may wait (for the network, a file, the next task) and say
 * so: Netty's BlockHound integration treats every other Netty thread as an event loop that must
 * never block. For the gateway's worker pools that are not event loops.
 */
public final class BlockingThreads extends DefaultThreadFactory {
    private BlockingThreads(String name) {
        super(name, true);
    }

    /** A factory of daemon threads named {@code name-N-M}. */
    public static ThreadFactory named(String name) {
        return new BlockingThreads(name);
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
