package io.mtlsgateway.gateway.testing;

import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * BlockHound, installed once for the test JVM: every blocking call made on a Netty event-loop
 * thread is recorded with its stack, and {@link GatewayStack} fails the test that caused it.
 * Recording (rather than throwing inside the gateway) keeps the gateway's own behaviour intact, so
 * the report names the call instead of a confusing failure further on.
 */
public final class BlockingCalls {
    private static final List<String> SEEN = new ArrayList<>();
    private static boolean installed;

    private BlockingCalls() {}

    /**
     * The relocated Netty inside grpc-netty-shaded (the gRPC client and server of the gRPC tests)
     * registers its own copy of Netty's integration: it would guard gRPC's event loops, which are
     * not the gateway's. Its name starts with this.
     */
    static final String GRPC_SHADED_NETTY = "io.grpc.netty.shaded.";

    /** Installs BlockHound with Netty's own integration. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        BlockHound.Builder hound = BlockHound.builder();
        // The integrations found by the service loader (Netty's marks its event-loop threads as
        // non-blocking), but not gRPC's copy of Netty's.
        ServiceLoader.load(BlockHoundIntegration.class).stream()
                .filter(provider -> !provider.type().getName().startsWith(GRPC_SHADED_NETTY))
                .map(ServiceLoader.Provider::get)
                .sorted()
                .forEach(hound::with);
        hound.with(builder -> nameLookupsBlock(builder)
                // Log lines go to stderr synchronously: a test-environment artefact, as production
                // logging is configured by the operator (and the access log has its own thread).
                .allowBlockingCallsInside("java.util.logging.StreamHandler", "publish")
                .allowBlockingCallsInside("java.util.logging.StreamHandler", "flush")
                .allowBlockingCallsInside("java.util.logging.ConsoleHandler", "publish")
                .blockingMethodCallback(method -> record(method.toString())));
        hound.install();
        installed = true;
    }

    /**
     * A host-name lookup blocks (a DNS query can take seconds), even when the JVM's cache answers
     * it this time: marked on {@code InetAddress.getAllByName0}, which every lookup of a name
     * passes and a literal address does not.
     */
    private static BlockHound.Builder nameLookupsBlock(BlockHound.Builder builder) {
        for (Method method : InetAddress.class.getDeclaredMethods()) {
            if (method.getName().equals("getAllByName0")) {
                builder.markAsBlocking(InetAddress.class, method.getName(),
                        MethodType.methodType(method.getReturnType(), method.getParameterTypes())
                                .toMethodDescriptorString());
            }
        }
        return builder;
    }

    private static void record(String method) {
        StringBuilder report = new StringBuilder(Thread.currentThread().getName()).append(": ").append(method);
        for (StackTraceElement frame : new Throwable().getStackTrace()) {
            report.append("\n\tat ").append(frame);
        }
        synchronized (SEEN) {
            SEEN.add(report.toString());
        }
    }

    /** The blocking calls seen since the last call, and forgets them. */
    public static List<String> drain() {
        synchronized (SEEN) {
            List<String> seen = new ArrayList<>(SEEN);
            SEEN.clear();
            return seen;
        }
    }
}
