package io.mtlsgateway.gateway.cli;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT. The first asks for an orderly stop (the caller drains and exits 0, which a
 * shutdown hook could not do: the JVM would exit 143); a second one exits at once. Installed
 * before anything starts, so a stop asked for during start-up is kept until the server can drain.
 */
final class StopSignals {
    private final CountDownLatch stop = new CountDownLatch(1);

    private StopSignals() {}

    static StopSignals install() {
        StopSignals signals = new StopSignals();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                if (signals.stop.getCount() == 0) {
                    Runtime.getRuntime().halt(128 + signal.getNumber());
                }
                signals.stop.countDown();
            });
        }
        return signals;
    }

    /** Whether a stop was asked for already. */
    boolean requested() {
        return stop.getCount() == 0;
    }

    void await() throws InterruptedException {
        stop.await();
    }
}
