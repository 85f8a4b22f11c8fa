package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.testing.TestPki;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watched files come from the config alone. */
class WatchedFilesTest {
    @TempDir
    Path dir;

    @Test
    void areTheRouteFileThenEachListenersFilesInConfigOrderWithoutRepeats() throws Exception {
        TestPki pki = new TestPki(dir);
        Path crlA = Files.writeString(dir.resolve("a.crl"), "");
        Path crlB = Files.writeString(dir.resolve("b.crl"), "");
        Path ticketKey = Files.write(dir.resolve("ticket.key"), new byte[48]);
        Path source = dir.resolve("routes.yaml");
        String tls = "    tls:\n"
                + "      certificate: " + pki.serverCertificate + "\n"
                + "      privateKey: " + pki.serverKey + "\n"
                + "      clientCa: " + pki.clientCaFile + "\n";
        String yaml = "version: 1\n"
                + "accessLog: { path: access.log }\n"
                + "listeners:\n"
                + "  - name: one\n    listen: 127.0.0.1:8443\n" + tls + "      crl: [a.crl, b.crl]\n"
                + "      sessionTicketKeys: [ticket.key]\n"
                + "  - name: two\n    listen: 127.0.0.1:8444\n" + tls + "      crl: [b.crl]\n"
                + "routes:\n  - name: all\n    upstream: app\n"
                + "upstreams:\n  app:\n    endpoints: [127.0.0.1:8080]\n";

        var config = ConfigLoader.load(source, new StringReader(yaml));

        // The access log is written, not read: not watched.
        assertEquals(List.of(source.toAbsolutePath().normalize(), pki.serverCertificate, pki.serverKey,
                pki.clientCaFile, crlA, crlB, ticketKey), List.copyOf(WatchedFiles.of(config)));
    }

    @Test
    void ofARouteFileRefusedForAFileThatDoesNotExistYetIncludeThatFile() throws Exception {
        TestPki pki = new TestPki(dir);
        Path source = dir.resolve("routes.yaml").toAbsolutePath().normalize();
        Path later = dir.resolve("later.crl").toAbsolutePath().normalize();
        String yaml = "version: 1\n"
                + "listeners:\n"
                + "  - name: one\n    listen: 127.0.0.1:8443\n    tls:\n"
                + "      certificate: " + pki.serverCertificate + "\n"
                + "      privateKey: " + pki.serverKey + "\n"
                + "      clientCa: " + pki.clientCaFile + "\n"
                + "      crl: [later.crl]\n"
                + "routes:\n  - name: all\n    upstream: app\n"
                + "upstreams:\n  app:\n    endpoints: [127.0.0.1:8080]\n";

        assertEquals(List.of(source, pki.serverCertificate, pki.serverKey, pki.clientCaFile, later),
                List.copyOf(WatchedFiles.namedBy(source, yaml.getBytes(StandardCharsets.UTF_8))));
    }
}
