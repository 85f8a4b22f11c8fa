package io.mtlsgateway.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.handler.ssl.OpenSsl;
import org.junit.jupiter.api.Test;

class NativeWarmUpTest {
    @Test
    void onlyTheCommandsThatServeWarmUp() {
        assertTrue(Main.servesOnStart(new String[] {"run", "--config", "routes.yaml"}));
        assertTrue(Main.servesOnStart(new String[] {"demo"}));
        assertFalse(Main.servesOnStart(new String[] {"check", "--config", "routes.yaml"}));
        assertFalse(Main.servesOnStart(new String[] {"pki", "init"}));
        assertFalse(Main.servesOnStart(new String[] {"--version"}));
        assertFalse(Main.servesOnStart(new String[0]));
    }

    @Test
    void theThreadLoadsBothLibrariesAndEnds() throws Exception {
        Thread thread = NativeWarmUp.start();
        assertTrue(thread.isDaemon(), "never holds up an exit");
        NativeWarmUp.await();
        assertFalse(thread.isAlive(), "await returns once the loading is over");
        assertTrue(OpenSsl.isAvailable(), String.valueOf(OpenSsl.unavailabilityCause()));
        assertTrue(Epoll.isAvailable(), String.valueOf(Epoll.unavailabilityCause()));
    }
}
