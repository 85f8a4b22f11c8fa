package io.mtlsgateway.gateway.cli;

import io.netty.channel.epoll.Epoll;
import io.netty.handler.ssl.OpenSsl;

/**
 * Loads Netty's native libraries on a thread of their own while the main thread parses the command
 * line and reads the route file. Both are one-time class initialisations every serving start meets
 * anyway, later, on the main thread: the epoll transport's library (for the event loops), then
 * BoringSSL's (netty-tcnative: loaded, then probed by Netty for its cipher suites, key-material
 * support and TLS 1.3, with a JDK TLS context made once for the same question), together about
 * 150–200 ms of CPU before the first listener can have its TLS context.
 *
 * <p>Only when this work happens changes. The main thread {@link #await waits} for it to end before
 * it touches Netty itself, so the two threads never initialise Netty's classes at the same time
 * (two class initialisers that need each other, started from either end at once, would deadlock).
 * A failure here is the one the main thread would have met: Netty keeps an unavailable library's
 * cause and answers with it later, where the gateway reports it, so it is not reported here.
 */
final class NativeWarmUp implements Runnable {
    private static volatile Thread started;

    private NativeWarmUp() {}

    /** Starts the loading on a daemon thread (it never holds up an exit) and returns at once. */
    static Thread start() {
        Thread thread = new Thread(new NativeWarmUp(), "gateway-native-warm-up");
        thread.setDaemon(true);
        started = thread;
        thread.start();
        return thread;
    }

    /** Waits for the loading {@link #start} began; returns at once when there was none. */
    static void await() throws InterruptedException {
        Thread thread = started;
        if (thread != null) {
            thread.join();
        }
    }

    @Override
    public void run() {
        try {
            // In the order a start needs them: the event loops come before the TLS contexts.
            Epoll.isAvailable();
            OpenSsl.isAvailable();
        } catch (LinkageError e) {
            // The main thread meets the same error where it needs the library, and reports it there.
        }
    }
}
