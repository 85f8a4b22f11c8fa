package io.mtlsgateway.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A SIGHUP during start-up is kept, not lost and not fatal. */
class ReloadSignalTest {
    @Test
    void queuesASignalReceivedBeforeTheServerExistsAsOneReload() {
        ReloadSignal signal = new ReloadSignal();
        List<String> reloads = new ArrayList<>();
        signal.received();
        signal.received();
        signal.attach(reloads::add);
        assertEquals(List.of("SIGHUP"), reloads);
        signal.received();
        assertEquals(List.of("SIGHUP", "SIGHUP"), reloads);
    }

    @Test
    void reloadsNothingOnAttachWhenNoSignalCame() {
        ReloadSignal signal = new ReloadSignal();
        List<String> reloads = new ArrayList<>();
        signal.attach(reloads::add);
        assertEquals(List.of(), reloads);
    }
}
