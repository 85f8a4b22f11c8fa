package io.mtlsgateway.gateway.blackbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.H2TestClient;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mtls-gateway demo} prints an HTTP/2 curl line, and what it names works over h2: its
 * files and URL, used by an h2-only client, get the demo's answer; and where curl is installed,
 * the line itself run as printed (plus output options) answers 200 over HTTP/2.
 */
class DemoHttp2CurlLineIT {
    @TempDir
    Path dir;

    @Test
    void theHttp2CurlLineTheDemoPrintsIsAnsweredOverH2() throws Exception {
        try (GatewayProcess demo = GatewayProcess.start("demo", "--dir", dir.toString(), "--port", "0",
                "--admin-port", "0")) {
            String line = demo.awaitStdout("curl --http2 ");
            List<String> words = List.of(line.trim().split(" +"));
            Path ca = Path.of(after(words, "--cacert"));
            Path cert = Path.of(after(words, "--cert"));
            Path key = Path.of(after(words, "--key"));
            URI url = URI.create(words.get(words.size() - 1));
            assertEquals("https", url.getScheme(), line);

            X509Certificate root = PemFiles.readCertificates(ca).get(0);
            IssuedCertificate client = new IssuedCertificate(PemFiles.readCertificates(cert).get(0),
                    PemFiles.readPrivateKey(key), List.of());
            try (H2TestClient h2 = H2TestClient.connect(url.getHost(), new InetSocketAddress("127.0.0.1", url.getPort()),
                    root, client)) {
                H2TestClient.Reply reply = h2.get(url.getPath());
                assertEquals(200, reply.status(), reply.body());
            }
            if (curlInstalled()) {
                List<String> command = new ArrayList<>(words);
                command.addAll(1, List.of("--silent", "--show-error", "--output", "/dev/null",
                        "--write-out", "%{http_version} %{http_code}"));
                Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
                String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                assertTrue(curl.waitFor(60, TimeUnit.SECONDS));
                assertEquals("2 200", out, "curl " + command);
            }
            demo.signal("TERM");
            assertEquals(0, demo.awaitExit());
        }
    }

    private static String after(List<String> words, String option) {
        int at = words.indexOf(option);
        assertTrue(at >= 0 && at + 1 < words.size(), option + " missing from the printed line: " + words);
        return words.get(at + 1);
    }

    private static boolean curlInstalled() {
        try {
            Process probe = new ProcessBuilder("curl", "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (java.io.IOException | InterruptedException e) {
            return false;
        }
    }
}
