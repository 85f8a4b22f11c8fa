package io.mtlsgateway.gateway.tls;

import io.mtlsgateway.config.GatewayConfig;
import java.util.logging.Logger;

/**
 * {@code tls.sessionTickets: false}. BoringSSL through netty-tcnative has no per-context switch
 * for TLS 1.3 tickets; Netty reads one process-wide setting, once, when its OpenSSL context class
 * first loads. So tickets are turned off for the whole process, before any TLS context exists,
 * when any listener asks for it; a reload cannot change it.
 */
public final class SessionTickets {
    private static final Logger LOG = Logger.getLogger(SessionTickets.class.getName());
    private static final String PROPERTY = "jdk.tls.server.enableSessionTicketExtension";

    private SessionTickets() {}

    /** Applies the config's choice; call before the first TLS context is built. */
    public static void configure(GatewayConfig config) {
        boolean off = anyOff(config);
        if (off && System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "false");
            LOG.info("sessionTickets: false on a listener: TLS session tickets are off for every listener"
                    + " (a process-wide setting; sessions are not resumed)");
        }
    }

    /** Whether a reload asks for a different ticket setting than the process started with. */
    public static boolean changed(GatewayConfig before, GatewayConfig after) {
        return anyOff(before) != anyOff(after);
    }

    private static boolean anyOff(GatewayConfig config) {
        return config.listeners().stream().anyMatch(listener -> !listener.plaintext() && !listener.tls().sessionTickets());
    }
}
