package io.mtlsgateway.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.gateway.testing.HostsPki;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code check} on a listener with hosts: every entry's files are checked, and mixed optional hosts warned about. */
class CheckVirtualHostsTest {
    @TempDir
    Path dir;

    TestPki pki;
    HostsPki hosts;
    Path routeFile;

    @BeforeEach
    void writeRouteFile() throws Exception {
        pki = new TestPki(dir);
        hosts = new HostsPki(pki);
        hosts.serverTls("api.bank.test", ClientAuthMode.REQUIRE, pki.clientCaFile);
        hosts.serverTls("open.bank.test", ClientAuthMode.OPTIONAL, pki.clientCaFile);
        routeFile = dir.resolve("routes.yaml");
        Files.writeString(routeFile, "version: 1\n"
                + "admin:\n  listen: 127.0.0.1:0\n"
                + "listeners:\n"
                + "  - name: edge\n"
                + "    listen: 127.0.0.1:0\n"
                + "    hosts:\n"
                + "      - names: [api.bank.test]\n"
                + "        tls: { certificate: api.bank.test.pem, privateKey: api.bank.test.key, clientCa: "
                + pki.clientCaFile + " }\n"
                + "      - names: [open.bank.test]\n"
                + "        tls: { certificate: open.bank.test.pem, privateKey: open.bank.test.key, clientAuth: optional,"
                + " clientCa: " + pki.clientCaFile + " }\n"
                + "routes:\n"
                + "  - { name: rates, match: { host: open.bank.test, pathPrefix: /rates }, clientCert: optional,"
                + " upstream: app }\n"
                + "  - { name: account, match: { host: open.bank.test, pathPrefix: /account }, upstream: app }\n"
                + "  - { name: payments, match: { host: api.bank.test }, upstream: app }\n"
                + "upstreams:\n  app:\n    endpoints: [127.0.0.1:8080]\n");
    }

    private record Result(int code, String out, String err) {}

    private Result check() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("check", "--config", routeFile.toString());
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void warnsAboutAnOptionalHostMixingPublicAndMtlsRoutesNamingThemAndPasses() {
        Result result = check();
        assertEquals(0, result.code(), result.err());
        assertTrue(result.err().contains("warning: listener 'edge' host open.bank.test (clientAuth: optional) mixes"
                + " public routes [rates] (clientCert: optional) with routes that need a client certificate"
                + " [account]"), result.err());
        assertTrue(!result.err().contains("payments"), "the api host's route is not on the optional host: "
                + result.err());
    }

    @Test
    void checksTheFilesOfEveryEntryNotOnlyTheDefault() throws Exception {
        // The second entry's key no longer belongs to its certificate.
        PemFiles.writePrivateKey(dir.resolve("open.bank.test.key"),
                hosts.writeServer("other.bank.test", "").privateKey());
        Result result = check();
        assertEquals(2, result.code(), result.out() + result.err());
        assertTrue(result.err().contains(dir.resolve("open.bank.test.key") + ": the private key does not belong to"),
                result.err());
    }
    @Test
    void listsTheCertificatesOfEveryEntry() throws Exception {
        Files.writeString(routeFile, Files.readString(routeFile).replace("routes:\n",
                "    default: open.bank.test\nroutes:\n"));
        Result result = check();
        assertEquals(0, result.code(), result.err());
        String[] lines = result.out().split("\n");
        int api = java.util.Arrays.asList(lines).indexOf("  host api.bank.test:");
        int open = java.util.Arrays.asList(lines).indexOf("  host open.bank.test (default):");
        assertTrue(api > 0 && open > api, result.out());
        assertTrue(lines[api + 1].startsWith("    server certificate: CN=api.bank.test, expires "), result.out());
        assertTrue(lines[api + 2].startsWith("    client CA: CN=test client CA,O=Test, expires "), result.out());
        assertTrue(lines[open + 1].startsWith("    server certificate: CN=open.bank.test, expires "), result.out());
        assertTrue(lines[open + 1].endsWith("(key matches)"), result.out());
    }
}
