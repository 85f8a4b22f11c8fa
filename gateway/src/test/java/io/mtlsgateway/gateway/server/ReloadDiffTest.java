package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtlsgateway.config.AccessLogConfig;
import io.mtlsgateway.config.AdminConfig;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.config.OcspMode;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.config.TlsProtocol;
import io.mtlsgateway.config.Transport;
import io.mtlsgateway.config.XfccMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reload rules as a function of two configs: no server, no files. */
class ReloadDiffTest {
    private static ListenerConfig listener(String name, int port) {
        TlsConfig tls = new TlsConfig(Path.of("s.pem"), Path.of("s.key"), ClientAuthMode.REQUIRE, Path.of("ca.pem"),
                List.of(), OcspMode.OFF, TlsConfig.DEFAULT_VERIFY_DEPTH, List.of(TlsProtocol.TLS_1_3), true);
        return new ListenerConfig(name, new HostPort("127.0.0.1", port), tls, Map.of(), XfccMode.SANITIZE_SET, false);
    }

    private static GatewayConfig config(int workers, ListenerConfig... listeners) {
        return new GatewayConfig(Path.of("routes.yaml"), workers, Transport.AUTO,
                new AdminConfig(new HostPort("127.0.0.1", 9901)), List.of(listeners), List.of(), Map.of(),
                GatewayConfig.DEFAULT_DRAIN_TIMEOUT, AccessLogConfig.OFF);
    }

    @Test
    void theSameListenersReloadWithNothingRefused() {
        ReloadDiff diff = ReloadDiff.between(config(2, listener("edge", 8443)), config(2, listener("edge", 8443)));
        assertEquals(List.of(), diff.refused());
        assertEquals(List.of(), diff.restartOnly());
    }

    @Test
    void refusesAddingRemovingAndMovingListeners() {
        ReloadDiff diff = ReloadDiff.between(config(2, listener("edge", 8443), listener("old", 9443)),
                config(2, listener("edge", 8444), listener("new", 7443)));
        assertEquals(List.of(
                "listener 'edge' moved from 127.0.0.1:8443 to 127.0.0.1:8444: changing a listen address needs a restart",
                "listener 'new' was added: adding a listener needs a restart",
                "listener 'old' was removed: removing a listener needs a restart"), diff.refused());
    }

    @Test
    void acceptsButNamesKeysThatOnlyARestartApplies() {
        ReloadDiff diff = ReloadDiff.between(config(2, listener("edge", 8443)), config(4, listener("edge", 8443)));
        assertEquals(List.of(), diff.refused());
        assertEquals(List.of("workers"), diff.restartOnly());
    }
}
