package io.mtlsgateway.gateway.cli;

import io.mtlsgateway.gateway.server.GatewayServer;
import sun.misc.Signal;

/**
 * SIGHUP asks the running gateway to reload its route file and every file it references.
 * Installed before the server starts (the JVM's default would end the process); a SIGHUP that
 * comes before the server exists is kept and turned into one reload once it does.
 */
final class ReloadSignal {
    static final String TRIGGER = "SIGHUP";

    private GatewayServer server;
    private boolean pending;

    private ReloadSignal() {}

    static ReloadSignal install() {
        ReloadSignal reload = new ReloadSignal();
        Signal.handle(new Signal("HUP"), signal -> reload.received());
        return reload;
    }

    /** The handler only queues the reload; the reload thread does the work. */
    synchronized void received() {
        if (server == null) {
            pending = true;
        } else {
            server.reload(TRIGGER);
        }
    }

    /** From now on SIGHUP reloads {@code started}; one received before is applied now. */
    synchronized void attach(GatewayServer started) {
        server = started;
        if (pending) {
            pending = false;
            started.reload(TRIGGER);
        }
    }
}
