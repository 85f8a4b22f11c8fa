package io.mtlsgateway.gateway.upstream;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Resolves endpoint host names for upstream connections off the event loops: a name lookup can
 * block for seconds (a slow or unreachable DNS server), and Netty's default resolver looks names up
 * on the loop that connects, stalling every connection on it. The lookup runs on a few daemon
 * threads (the JVM's resolver and cache, as before: {@code /etc/hosts}, {@code networkaddress.cache.ttl})
 * and its result completes the loop's promise, so the connect goes on back on the loop. IP
 * literals need no lookup and are answered at once.
 */
final class OffLoopResolver extends AddressResolverGroup<InetSocketAddress> {
    /** Lookups running at once; more wait their turn. */
    static final int THREADS = 4;

    static final OffLoopResolver INSTANCE = new OffLoopResolver();

    private final ExecutorService lookups;

    private OffLoopResolver() {
        AtomicInteger count = new AtomicInteger();
        // Plain threads, not Netty's: these may block (Netty's threads count as event loops to
        // BlockHound, and FastThreadLocal buys nothing here).
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "upstream-dns-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        this.lookups = pool;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor loop) {
        return new Lookup(loop).asAddressResolver();
    }

    private final class Lookup extends InetNameResolver {
        Lookup(EventExecutor loop) {
            super(loop);
        }

        @Override
        protected void doResolve(String host, Promise<InetAddress> promise) {
            InetAddress literal = literal(host);
            if (literal != null) {
                promise.setSuccess(literal);
                return;
            }
            lookups.execute(() -> {
                try {
                    promise.trySuccess(InetAddress.getByName(host));
                } catch (UnknownHostException | RuntimeException e) {
                    promise.tryFailure(e);
                }
            });
        }

        @Override
        protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
            InetAddress literal = literal(host);
            if (literal != null) {
                promise.setSuccess(List.of(literal));
                return;
            }
            lookups.execute(() -> {
                try {
                    promise.trySuccess(Arrays.asList(InetAddress.getAllByName(host)));
                } catch (UnknownHostException | RuntimeException e) {
                    promise.tryFailure(e);
                }
            });
        }

        private static InetAddress literal(String host) {
            return NetUtil.createInetAddressFromIpAddressString(host);
        }
    }
}
