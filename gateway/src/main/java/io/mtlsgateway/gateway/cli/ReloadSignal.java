package io.mtlsgateway.gateway.cli;

import io.mtlsgateway.gateway.server.GatewayServer;
import sun.misc.Signal;

/** SIGHUP asks the running gateway to reload its route file and every file it references. */
final class ReloadSignal {
    private ReloadSignal() {}

    static void install(GatewayServer server) {
        // The handler only queues the reload; the reload thread does the work.
        Signal.handle(new Signal("HUP"), signal -> server.reload("SIGHUP"));
    }
}
