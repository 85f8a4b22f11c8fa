package io.mtlsgateway.gateway.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.server.GatewayServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A gateway stack for one test class: a generated PKI in its own folder, the gateway and whatever
 * upstreams the class starts, all closed after the class in reverse order; and BlockHound, failing
 * any test during which an event loop made a blocking call. Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension static final GatewayStack stack = new GatewayStack();
 * @BeforeAll static void start() throws Exception {
 *     EchoUpstream echo = stack.keep(EchoUpstream.start(0));
 *     stack.start(GatewayFixture.config(stack.pki(), ...));
 * }
 * }</pre>
 */
public final class GatewayStack implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    /** Kept while the class sets up: closed after the class. */
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    /** Kept during one test (its {@code @BeforeEach} included): closed after that test. */
    private final Deque<AutoCloseable> testResources = new ArrayDeque<>();
    private boolean inTest;
    private Path dir;
    private TestPki pki;
    private GatewayServer gateway;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        BlockingCalls.install();
        BlockingCalls.drain();
        dir = Files.createTempDirectory("gateway-stack");
        pki = new TestPki(dir);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        inTest = true;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        inTest = false;
        Exception failure = closeAll(testResources);
        if (gateway != null && !resources.contains(gateway)) {
            gateway = null;
        }
        if (failure != null) {
            throw failure;
        }
        List<String> blocking = BlockingCalls.drain();
        if (!blocking.isEmpty()) {
            fail(blocking.size() + " blocking call(s) on an event loop during " + context.getDisplayName() + ":\n"
                    + String.join("\n\n", blocking));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Exception failure = closeAll(resources);
        gateway = null;
        deleteTree(dir);
        if (failure != null) {
            throw failure;
        }
    }

    /** The folder of this stack's files (PKI, route files). */
    public Path dir() {
        return dir;
    }

    /** The generated PKI: server certificate, client CA, and clients issued on demand. */
    public TestPki pki() {
        return pki;
    }

    /**
     * Closes {@code resource} after the class, or after the test when kept during one (a
     * {@code @BeforeEach} included), before anything kept earlier.
     */
    public <T extends AutoCloseable> T keep(T resource) {
        (inTest ? testResources : resources).push(resource);
        return resource;
    }

    private static Exception closeAll(Deque<AutoCloseable> kept) {
        Exception failure = null;
        while (!kept.isEmpty()) {
            try {
                kept.pop().close();
            } catch (Exception e) {
                failure = failure == null ? e : failure;
            }
        }
        return failure;
    }

    /** Starts the gateway, closed (as {@link #keep} says) before the upstreams started earlier. */
    public GatewayServer start(GatewayConfig config) throws Exception {
        gateway = keep(GatewayServer.start(config));
        return gateway;
    }

    /** As {@link #start(GatewayConfig)}, with the file watcher on or off. */
    public GatewayServer start(GatewayConfig config, GatewayServer.FileWatching watching) throws Exception {
        gateway = keep(GatewayServer.start(config, watching));
        return gateway;
    }

    public GatewayServer gateway() {
        return gateway;
    }

    /** Where the test listener is bound. */
    public InetSocketAddress address() {
        return gateway.address(GatewayFixture.LISTENER);
    }

    /** A TLS connection to the listener with this client certificate (null for none). */
    public TlsTestClient connect(IssuedCertificate client) throws Exception {
        return TlsTestClient.connect(address(), pki.server.root(), client);
    }

    private static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
