package io.mtlsgateway.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.mtlsgateway.config.ConnectionReuse;
import io.mtlsgateway.config.HealthCheckConfig;
import io.mtlsgateway.config.LoadBalancing;
import io.mtlsgateway.config.OutlierDetectionConfig;
import io.mtlsgateway.config.UpstreamConfig;
import io.mtlsgateway.gateway.pipeline.UpstreamInitializers;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.ScriptedUpstream;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pooled connections over real loopback sockets, shared between two client connections A and B:
 * with safe reuse, a connection that just served A does not go to B until its quarantine ends.
 */
class ConnectionReuseTest {
    /** BlockHound over the pools' event loop (this test needs no gateway). */
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    private final Object clientA = new Object();
    private final Object clientB = new Object();
    private EventLoopGroup group;
    private EventLoop loop;
    private ScriptedUpstream upstream;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
        upstream = ScriptedUpstream.start(c -> c.readHead());
    }

    @AfterEach
    void stop() throws Exception {
        upstream.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private UpstreamCluster cluster(ConnectionReuse reuse, int maxConnections, Duration quarantine) {
        UpstreamConfig config = new UpstreamConfig("app", GatewayFixture.endpoints(upstream.port()),
                Duration.ofSeconds(10), Duration.ofSeconds(10), UpstreamConfig.DEFAULT_IDLE_TIMEOUT, maxConnections,
                Optional.<HealthCheckConfig>empty(), LoadBalancing.ROUND_ROBIN, 16, OutlierDetectionConfig.defaults(),
                reuse);
        Bootstrap template = new Bootstrap().channel(NioSocketChannel.class);
        return on(() -> new Upstreams(Map.of("app", config), template, 1, UpstreamInitializers.INSTANCE, quarantine)
                .cluster(loop, "app"));
    }

    private <T> T on(Callable<T> task) {
        try {
            return loop.submit(task).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The cluster's answer as a future, on the loop: at once when an idle connection is at hand. */
    private Future<UpstreamCluster.Lease> acquire(UpstreamCluster cluster, Object client) {
        Promise<UpstreamCluster.Lease> promise = loop.newPromise();
        cluster.acquire(null, client, new UpstreamCluster.LeaseListener() {
            @Override
            public void leased(UpstreamCluster.Lease lease) {
                promise.setSuccess(lease);
            }

            @Override
            public void notLeased(Throwable cause) {
                promise.setFailure(cause);
            }
        });
        return promise;
    }

    private UpstreamCluster.Lease lease(UpstreamCluster cluster, Object client) throws Exception {
        Future<UpstreamCluster.Lease> acquired = on(() -> acquire(cluster, client));
        return acquired.get(10, TimeUnit.SECONDS);
    }

    /** Gives the lease back and waits until the pool has it again (it is released on a later turn). */
    private void giveBack(UpstreamCluster.Lease lease) {
        on(() -> {
            lease.giveBack();
            return null;
        });
        on(() -> null);
    }

    @Test
    void safeReuseKeepsAJustUsedConnectionFromAnotherClient() throws Exception {
        UpstreamCluster cluster = cluster(ConnectionReuse.SAFE, 8, Duration.ofHours(1));
        UpstreamCluster.Lease first = lease(cluster, clientA);
        Channel used = first.channel();
        giveBack(first);

        UpstreamCluster.Lease forB = lease(cluster, clientB);
        assertNotSame(used, forB.channel(), "B gets a connection of its own");
        giveBack(forB);
        assertSame(used, lease(cluster, clientA).channel(), "A may go on with the connection it just used");
    }

    @Test
    void alwaysReuseHandsTheConnectionToTheNextClientAtOnce() throws Exception {
        UpstreamCluster cluster = cluster(ConnectionReuse.ALWAYS, 8, Duration.ofHours(1));
        UpstreamCluster.Lease first = lease(cluster, clientA);
        Channel used = first.channel();
        giveBack(first);
        assertSame(used, lease(cluster, clientB).channel());
    }

    @Test
    void aClientWaitingAtTheLimitGetsTheConnectionWhenItsQuarantineEnds() throws Exception {
        UpstreamCluster cluster = cluster(ConnectionReuse.SAFE, 1, Duration.ofSeconds(2));
        UpstreamCluster.Lease first = lease(cluster, clientA);
        Future<UpstreamCluster.Lease> forB = on(() -> acquire(cluster, clientB));
        giveBack(first);
        assertFalse(forB.isDone(), "still in quarantine");
        assertSame(first.channel(), forB.get(10, TimeUnit.SECONDS).channel());
    }
}
