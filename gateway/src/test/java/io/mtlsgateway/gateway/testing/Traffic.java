package io.mtlsgateway.gateway.testing;

import io.mtlsgateway.gateway.pki.IssuedCertificate;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Continuous concurrent requests while a test changes things underneath: each worker alternates
 * between a fresh connection and a few keep-alive requests, and every response that is not the
 * expected status (or any exception) is recorded as a failure.
 */
public final class Traffic implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger succeeded = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final CountDownLatch warm;
    private final List<Thread> workers;

    public Traffic(int threads, InetSocketAddress address, X509Certificate serverRoot, IssuedCertificate client,
            String path) {
        this.warm = new CountDownLatch(threads);
        this.workers = java.util.stream.IntStream.range(0, threads).mapToObj(i -> new Thread(() -> {
            boolean first = true;
            while (running.get()) {
                try (TlsTestClient connection = TlsTestClient.connect(address, serverRoot, client)) {
                    for (int n = 0; n < 3 && running.get(); n++) {
                        TlsTestClient.Response r = connection.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                                .readResponse();
                        if (r.status() != 200) {
                            failures.add("status " + r.status() + ": " + r.body());
                        } else {
                            synchronized (succeeded) {
                                succeeded.incrementAndGet();
                                succeeded.notifyAll();
                            }
                        }
                        if (first) {
                            first = false;
                            warm.countDown();
                        }
                    }
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        }, "traffic-" + i)).toList();
        workers.forEach(Thread::start);
    }

    /** Waits until every worker has had one response. */
    public Traffic awaitWarm() throws InterruptedException {
        warm.await();
        return this;
    }

    public int succeeded() {
        return succeeded.get();
    }

    /** Waits until {@code more} further requests have succeeded (traffic that saw the new state). */
    public void awaitMore(int more) throws InterruptedException {
        synchronized (succeeded) {
            int target = succeeded.get() + more;
            while (succeeded.get() < target && failures.isEmpty()) {
                succeeded.wait();
            }
        }
    }

    /** Stops the workers and returns every failure seen. */
    public List<String> stop() throws InterruptedException {
        running.set(false);
        for (Thread worker : workers) {
            worker.join();
        }
        return List.copyOf(failures);
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
