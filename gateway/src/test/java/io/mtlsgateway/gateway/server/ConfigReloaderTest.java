package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloads one at a time, each bounded in time, and none waiting behind an abandoned one. */
class ConfigReloaderTest {
    @TempDir
    Path dir;

    /**
     * The time limit of tests that abandon stuck builds: the stuck ones never finish, so it only has
     * to be long enough for a build that does not hang to finish on a loaded build machine.
     */
    static final Duration SHORT_LIMIT = Duration.ofSeconds(1);

    GatewayMetrics metrics = new GatewayMetrics(java.util.List.of());
    Path routeFile;
    GatewayConfig good;
    /** Released at the end of each test, so an abandoned build thread does not outlive it. */
    CountDownLatch never = new CountDownLatch(1);
    AtomicInteger committed = new AtomicInteger();
    AtomicInteger discarded = new AtomicInteger();
    volatile CountDownLatch discardedOnce;

    @BeforeEach
    void setUp() throws Exception {
        TestPki pki = new TestPki(dir);
        routeFile = dir.resolve("routes.yaml");
        Files.writeString(routeFile, RouteFile.text(pki, RouteFile.route("api", "/api"), 8080, ""));
        good = ConfigLoader.load(routeFile);
    }

    @AfterEach
    void tearDown() {
        never.countDown();
        metrics.close();
    }

    private ConfigReloader.Staged staged() {
        return new ConfigReloader.Staged() {
            @Override
            public void commit() {
                committed.incrementAndGet();
            }

            @Override
            public void discard() {
                discarded.incrementAndGet();
                CountDownLatch latch = discardedOnce;
                if (latch != null) {
                    latch.countDown();
                }
            }
        };
    }

    private double reloads(String outcome) {
        return metrics.registry().get("mtls.gateway.config.reloads").tag("outcome", outcome).counter().count();
    }

    @Test
    void abandonsAReloadThatOverrunsKeepsServingAndDoesNotMakeTheNextOneWait() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch stuckStarted = new CountDownLatch(1);
        ConfigReloader.Source source = () -> {
            if (loads.incrementAndGet() == 1) {
                // The first read never ends (a hung file system, a parser that loops).
                stuckStarted.countDown();
                awaitUninterruptibly(never);
            }
            return good;
        };
        try (ConfigReloader reloader = new ConfigReloader(routeFile, source, next -> staged(), metrics,
                SHORT_LIMIT)) {
            ReloadOutcome first = reloader.reload("test").get(30, TimeUnit.SECONDS);
            assertTrue(stuckStarted.await(30, TimeUnit.SECONDS));
            assertFalse(first.success());
            assertEquals(1, first.problems().size());
            assertTrue(first.problems().get(0).startsWith(routeFile + ": reading and building the new config took"
                    + " longer than"), first.problems().toString());
            assertTrue(first.problems().get(0).endsWith("abandoned"), first.problems().toString());
            assertTrue(first.retryable(), "a time limit is not the files' fault: the watcher tries again");
            assertEquals(1.0, reloads("failure"));
            assertEquals(0, committed.get());

            // The next reload runs on another build thread while the first is still stuck.
            ReloadOutcome second = reloader.reload("test").get(30, TimeUnit.SECONDS);
            assertTrue(second.success(), second.problems().toString());
            assertEquals(1, committed.get());
            assertEquals(1.0, reloads("success"));
        }
    }

    @Test
    void releasesWhatAnAbandonedReloadBuiltWhenItFinallyFinishes() throws Exception {
        CountDownLatch late = new CountDownLatch(1);
        CountDownLatch discardedLatch = new CountDownLatch(1);
        ConfigReloader.Applier slow = next -> {
            awaitUninterruptibly(late);
            return new ConfigReloader.Staged() {
                @Override
                public void commit() {
                    committed.incrementAndGet();
                }

                @Override
                public void discard() {
                    discardedLatch.countDown();
                }
            };
        };
        try (ConfigReloader reloader = new ConfigReloader(routeFile, () -> good, slow, metrics, SHORT_LIMIT)) {
            assertFalse(reloader.reload("test").get(30, TimeUnit.SECONDS).success());
            late.countDown();
            assertTrue(discardedLatch.await(30, TimeUnit.SECONDS));
            assertEquals(0, committed.get());
        }
    }

    @Test
    void releasesWhatAReloadBuiltWhenTheGatewayStopsWhileItBuilds() throws Exception {
        CountDownLatch building = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        CountDownLatch discardedLatch = new CountDownLatch(1);
        ConfigReloader.Applier slow = next -> {
            building.countDown();
            awaitUninterruptibly(finish);
            return new ConfigReloader.Staged() {
                @Override
                public void commit() {
                    committed.incrementAndGet();
                }

                @Override
                public void discard() {
                    discardedLatch.countDown();
                }
            };
        };
        ConfigReloader reloader = new ConfigReloader(routeFile, () -> good, slow, metrics, Duration.ofSeconds(30));
        CountDownLatch stopped = new CountDownLatch(1);
        reloader.addListener(outcome -> {
            if (outcome.problems().equals(java.util.List.of("the gateway is stopping"))) {
                stopped.countDown();
            }
        });
        reloader.reload("test");
        assertTrue(building.await(30, TimeUnit.SECONDS));
        reloader.close();
        // The reload has given up waiting before its build ends: nobody will ever commit what it builds.
        assertTrue(stopped.await(30, TimeUnit.SECONDS));
        finish.countDown();
        assertTrue(discardedLatch.await(30, TimeUnit.SECONDS), "the state built after the stop is released");
        assertEquals(0, committed.get());
    }

    @Test
    void startsNoFurtherBuildWhileTooManyAbandonedOnesAreStuckAndResumesWhenOneEnds() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch unstuckOne = new CountDownLatch(1);
        ConfigReloader.Source source = () -> {
            int n = loads.incrementAndGet();
            if (n == 1) {
                awaitUninterruptibly(unstuckOne);
            } else if (n <= ConfigReloader.MAX_ABANDONED) {
                awaitUninterruptibly(never);
            }
            return good;
        };
        try (ConfigReloader reloader = new ConfigReloader(routeFile, source, next -> staged(), metrics,
                SHORT_LIMIT)) {
            for (int i = 0; i < ConfigReloader.MAX_ABANDONED; i++) {
                assertFalse(reloader.reload("test").get(30, TimeUnit.SECONDS).success());
            }
            ReloadOutcome refused = reloader.reload("test").get(30, TimeUnit.SECONDS);
            assertTrue(refused.problems().get(0).contains(ConfigReloader.MAX_ABANDONED + " earlier reloads are still"
                    + " stuck"), refused.problems().toString());
            assertEquals(ConfigReloader.MAX_ABANDONED, loads.get());
            assertTrue(refused.retryable());

            CountDownLatch released = new CountDownLatch(1);
            discardedOnce = released;
            unstuckOne.countDown();
            assertTrue(released.await(30, TimeUnit.SECONDS));
            assertTrue(reloader.reload("test").get(30, TimeUnit.SECONDS).success());
        }
    }

    @Test
    void reportsEveryProblemOfARouteFileItCannotRead() throws Exception {
        ConfigReloader.Source broken = () -> ConfigLoader.load(dir.resolve("missing.yaml"));
        try (ConfigReloader reloader = new ConfigReloader(routeFile, broken, next -> staged(), metrics,
                Duration.ofSeconds(30))) {
            ReloadOutcome outcome = reloader.reload("test").get(30, TimeUnit.SECONDS);
            assertFalse(outcome.success());
            assertTrue(outcome.problems().get(0).contains("no such file"), outcome.problems().toString());
            assertFalse(outcome.retryable(), "the route file's content: tried again when it changes");
            assertEquals(0, committed.get());
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // an abandoned build is not interrupted out of a hang in real life either
            }
        }
    }

}
