package io.mtlsgateway.gateway.cli;

import java.util.function.Consumer;
import sun.misc.Signal;

/**
 * SIGHUP asks the running gateway to reload its route file and every file it references.
 * Installed before the server starts (the JVM's default would end the process); a SIGHUP that
 * comes before the server exists is kept and turned into one reload once it does.
 */
final class ReloadSignal {
    static final String TRIGGER = "SIGHUP";

    private Consumer<String> reload;
    private boolean pending;

    ReloadSignal() {}

    static ReloadSignal install() {
        ReloadSignal reload = new ReloadSignal();
        Signal.handle(new Signal("HUP"), signal -> reload.received());
        return reload;
    }

    /** The handler only queues the reload; the reload thread does the work. */
    synchronized void received() {
        if (reload == null) {
            pending = true;
        } else {
            reload.accept(TRIGGER);
        }
    }

    /** From now on SIGHUP calls {@code started} (the server's reload); one received before is applied now. */
    synchronized void attach(Consumer<String> started) {
        reload = started;
        if (pending) {
            pending = false;
            started.accept(TRIGGER);
        }
    }
}
