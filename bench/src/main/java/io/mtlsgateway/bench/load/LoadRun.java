package io.mtlsgateway.bench.load;

import com.sun.management.OperatingSystemMXBean;
import io.mtlsgateway.bench.ServerVerificationCounter;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.internal.tcnative.SSL;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;

/**
 * One timed run: warm-up, measurement window, then a bounded wind-down.
 *
 * <p>Every phase boundary is an absolute {@link System#nanoTime()} fixed at the start, so slots decide on their
 * own, without a shared phase variable, whether to go on and whether a response counts. The only shared mutable
 * state is the request cap and a few first-seen facts for the report.
 */
final class LoadRun {
    // Error causes printed to stderr: enough to diagnose, not enough to flood the log of a broken run.
    private static final int MAX_LOGGED_ERRORS = 5;
    // After the window closes, in-flight exchanges get this long beyond the read timeout before being abandoned.
    private static final long GRACE_SECONDS = 5;

    private final LoadOptions options;
    private final SslContext sslContext;
    private final ServerVerificationCounter trust;
    private final AtomicLong requestsStarted = new AtomicLong();
    private final AtomicLong capReachedAt = new AtomicLong(Long.MAX_VALUE);
    private final AtomicInteger loggedErrors = new AtomicInteger();
    private final AtomicReference<String> negotiated = new AtomicReference<>();
    private long warmupEnd;
    private long measureEnd;

    LoadRun(LoadOptions options, SslContext sslContext, ServerVerificationCounter trust) {
        this.options = options;
        this.sslContext = sslContext;
        this.trust = trust;
    }

    LoadOptions options() {
        return options;
    }

    SslContext sslContext() {
        return sslContext;
    }

    /** Whether a slot may send another request or open another connection at {@code now}. */
    boolean mayContinue(long now) {
        return now - measureEnd < 0 && capReachedAt.get() == Long.MAX_VALUE;
    }

    /** Whether a response completed at {@code end} belongs to the measurement window. */
    boolean inWindow(long end) {
        return end - warmupEnd >= 0 && end - windowEnd() < 0;
    }

    private long windowEnd() {
        long cap = capReachedAt.get();
        return cap == Long.MAX_VALUE || cap - measureEnd > 0 ? measureEnd : cap;
    }

    void countRequest(long now) {
        if (requestsStarted.incrementAndGet() >= options.maxRequests()) {
            capReachedAt.compareAndSet(Long.MAX_VALUE, now);
        }
    }

    /** The first handshake's version, suite and key-exchange group (peers differ in the groups they support). */
    void noteNegotiated(SSLEngine engine) {
        if (negotiated.get() == null) {
            negotiated.compareAndSet(null, engine.getSession().getProtocol() + " " + engine.getSession().getCipherSuite()
                    + " " + group(engine));
        }
    }

    private static String group(SSLEngine engine) {
        if (engine instanceof ReferenceCountedOpenSslEngine openSsl && openSsl.sslPointer() != 0) {
            try {
                return SSL.getGroupName(openSsl.sslPointer());
            } catch (Exception e) {
                return "unknown";
            }
        }
        return "unknown";
    }

    void logError(ErrorKind kind, Throwable cause) {
        if (loggedErrors.incrementAndGet() <= MAX_LOGGED_ERRORS) {
            System.err.println("load: " + kind.jsonName() + " error" + (cause == null ? "" : ": " + cause));
        }
    }

    LoadResult execute() throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(options.threads(), io);
        try {
            Bootstrap template = new Bootstrap()
                    .group(group)
                    .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, options.timeoutSeconds() * 1000)
                    .remoteAddress(new InetSocketAddress(options.host(), options.port()));

            long start = System.nanoTime();
            warmupEnd = start + TimeUnit.SECONDS.toNanos(options.warmupSeconds());
            measureEnd = warmupEnd + TimeUnit.SECONDS.toNanos(options.durationSeconds());
            List<Slot> slots = new ArrayList<>();
            for (int i = 0; i < options.connections(); i++) {
                // Spreading slots round-robin over the loops, each slot then stays on its loop.
                slots.add(new Slot(this, group.next(), template));
            }
            slots.forEach(Slot::start);

            sleepUntil(warmupEnd);
            CpuSample before = sample();
            while (System.nanoTime() - measureEnd < 0 && capReachedAt.get() == Long.MAX_VALUE) {
                Thread.sleep(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(measureEnd - System.nanoTime()))));
            }
            CpuSample after = sample();
            long windowNanos = windowEnd() - warmupEnd;

            awaitSlots(slots);
            return LoadResult.of(options, epoll ? "epoll" : "nio", negotiated.get(), slots, trust.serverChecks(),
                    windowNanos, before, after, capReachedAt.get() != Long.MAX_VALUE);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    // Waits for every slot to wind down; any still busy past the grace period is aborted on its own loop.
    private void awaitSlots(List<Slot> slots) throws InterruptedException {
        CompletableFuture<?>[] all = slots.stream().map(Slot::done).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(all).get(options.timeoutSeconds() + GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            for (Slot slot : slots) {
                if (!slot.done().isDone()) {
                    slot.abortSoon();
                }
            }
            try {
                CompletableFuture.allOf(all).get(GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException stuck) {
                throw new IllegalStateException("slots did not stop after abort", stuck);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void sleepUntil(long deadline) throws InterruptedException {
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
        }
    }

    private CpuSample sample() {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new CpuSample(os.getProcessCpuTime(),
                ProcessCpu.nanos(options.proxyPids(), options.clockTicks()),
                ProcessCpu.jitNanos(options.proxyPids(), options.clockTicks()),
                ProcessCpu.nanos(options.upstreamPids(), options.clockTicks()));
    }

    /**
     * CPU nanoseconds of the client, the proxy, the proxy's JIT compiler threads (part of the proxy's) and the
     * upstream at one instant (-1: unavailable).
     */
    record CpuSample(long client, long proxy, long proxyJit, long upstream) {
        /** The proxy's CPU without its JIT compiler threads, or -1. */
        long proxyWithoutJit() {
            return proxy < 0 || proxyJit < 0 ? -1 : proxy - proxyJit;
        }
    }
}
