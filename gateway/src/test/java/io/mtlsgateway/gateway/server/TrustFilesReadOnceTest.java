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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
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

        Map<String, Long> atStart = wholeReads(stack.dir().resolve("start.jfr"), () ->
                stack.start(ConfigLoader.load(routeFile), GatewayServer.FileWatching.OFF));
        Map<String, Long> atReload = wholeReads(stack.dir().resolve("reload.jfr"), () ->
                assertTrue(stack.gateway().reload("test").get(30, TimeUnit.SECONDS).success()));

        Map<String, Long> once = new TreeMap<>(Map.of(ca.toString(), 1L, crl.toString(), 1L));
        assertEquals(once, only(atStart, ca, crl), "reads at start, of all " + atStart);
        assertEquals(once, only(atReload, ca, crl), "reads at reload, of all " + atReload);
    }

    private interface Action {
        void run() throws Exception;
    }

    /** How often each file was read to its end while {@code action} ran. */
    private static Map<String, Long> wholeReads(Path events, Action action) throws Exception {
        try (Recording recording = new Recording()) {
            recording.enable("jdk.FileRead").withThreshold(Duration.ZERO).withoutStackTrace();
            recording.start();
            action.run();
            recording.stop();
            recording.dump(events);
        }
        Map<String, Long> reads = new TreeMap<>();
        for (RecordedEvent event : RecordingFile.readAllEvents(events)) {
            if (event.getEventType().getName().equals("jdk.FileRead") && event.getBoolean("endOfFile")) {
                reads.merge(String.valueOf(event.getString("path")), 1L, Long::sum);
            }
        }
        return reads;
    }

    private static Map<String, Long> only(Map<String, Long> reads, Path... files) {
        Map<String, Long> kept = new TreeMap<>();
        for (Path file : files) {
            kept.put(file.toString(), reads.getOrDefault(file.toString(), 0L));
        }
        return kept;
    }
}
