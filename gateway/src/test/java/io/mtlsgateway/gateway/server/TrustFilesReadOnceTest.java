package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.CrlIssuer;
import io.mtlsgateway.gateway.testing.GatewayStack;
import io.mtlsgateway.gateway.testing.RouteFile;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A listener's trust files (its clientCa and CRL files) are each read once when the gateway
 * starts and once per reload, so the trust check and the verifier judge the same bytes. The reads
 * are counted by the JDK's own file-read events (JFR {@code jdk.FileRead}: one read that reaches
 * the end of the file is one whole read), not by a hook in the gateway.
 */
class TrustFilesReadOnceTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    @Test
    void eachClientCaAndCrlFileIsReadOncePerStartAndOncePerReload() throws Exception {
        Path ca = stack.pki().clientCaFile.toAbsolutePath();
        Path crl = stack.dir().resolve("clients.crl").toAbsolutePath();
        Instant now = Instant.now();
        PemFiles.write(crl, CrlIssuer.issue(stack.pki().clientCa, List.of(), now, now.plus(Duration.ofDays(7))));
        EchoUpstream upstream = stack.keep(EchoUpstream.start(0));
        Path routeFile = stack.dir().resolve("routes.yaml");
        Files.writeString(routeFile, RouteFile.text(stack.pki(), RouteFile.route("api", "/api"), upstream.port(), "")
                .replace("      clientCa: " + stack.pki().clientCaFile + "\n",
                        "      clientCa: " + stack.pki().clientCaFile + "\n      crl: [" + crl + "]\n"));

        // One recording for both phases, split by a marker event: a second recording can lose the
        // names of files the first one saw (its constant pool has them as written already).
        Path events = stack.dir().resolve("reads.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.FileRead").withThreshold(Duration.ZERO).withoutStackTrace();
            recording.enable(ReloadStarts.class);
            recording.start();
            stack.start(ConfigLoader.load(routeFile), GatewayServer.FileWatching.OFF);
            new ReloadStarts().commit();
            assertTrue(stack.gateway().reload("test").get(30, TimeUnit.SECONDS).success());
            recording.stop();
            recording.dump(events);
        }
        Map<String, Long> atStart = new TreeMap<>();
        Map<String, Long> atReload = new TreeMap<>();
        Map<String, Long> phase = atStart;
        List<RecordedEvent> recorded = new ArrayList<>(RecordingFile.readAllEvents(events));
        recorded.sort(Comparator.comparing(RecordedEvent::getStartTime));
        for (RecordedEvent event : recorded) {
            if (event.getEventType().getName().equals(ReloadStarts.NAME)) {
                phase = atReload;
            } else if (event.getEventType().getName().equals("jdk.FileRead") && event.getBoolean("endOfFile")) {
                // A read that reached the end of the file: one whole read.
                phase.merge(String.valueOf(event.getString("path")), 1L, Long::sum);
            }
        }

        Map<String, Long> once = new TreeMap<>(Map.of(ca.toString(), 1L, crl.toString(), 1L));
        assertEquals(once, only(atStart, ca, crl), "reads at start, of all " + atStart);
        assertEquals(once, only(atReload, ca, crl), "reads at reload, of all " + atReload);
    }

    /** Marks the end of the start and the beginning of the reload in the recording. */
    @Name(ReloadStarts.NAME)
    @Label("Reload starts")
    static final class ReloadStarts extends Event {
        static final String NAME = "mtlsgateway.test.ReloadStarts";
    }

    private static Map<String, Long> only(Map<String, Long> reads, Path... files) {
        Map<String, Long> kept = new TreeMap<>();
        for (Path file : files) {
            kept.put(file.toString(), reads.getOrDefault(file.toString(), 0L));
        }
        return kept;
    }
}
