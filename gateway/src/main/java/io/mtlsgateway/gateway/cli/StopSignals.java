package io.mtlsgateway.gateway.cli;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * Waits for SIGTERM or SIGINT. The first asks for an orderly stop (the caller drains and exits
 * 0, which a shutdown hook could not do: the JVM would exit 143); a second one exits at once.
 */
final class StopSignals {
    private StopSignals() {}

    static void await() throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                if (stop.getCount() == 0) {
                    Runtime.getRuntime().halt(128 + signal.getNumber());
                }
                stop.countDown();
            });
        }
        stop.await();
    }
}
