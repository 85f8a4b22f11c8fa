package io.mtlsgateway.gateway.cli;

import io.mtlsgateway.config.ConfigException;
import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.gateway.demo.DemoSetup;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.server.GatewayServer;
import io.mtlsgateway.gateway.server.StartException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mtls-gateway demo}: a throwaway PKI, an upstream that echoes what it received, and the
 * gateway in front of it, with curl commands to try. Serves until Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a self-contained demo: dev PKI, echo upstream and gateway on 127.0.0.1.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Keep the PKI and route file in DIR (default: a temporary folder, removed on exit).")
    private Path dir;

    @Option(names = "--port", defaultValue = "8443", description = "Gateway port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = "--admin-port", defaultValue = "9901", description = "Admin (metrics, health) port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    private int adminPort;

    @Option(names = "--stop-when-ready", description = "Stop as soon as the gateway listens, instead of serving until"
            + " Ctrl-C: a check that it starts here (bin/mtls-gateway uses it to make its class-data archive).")
    private boolean stopWhenReady;

    @Override
    public Integer call() throws Exception {
        Logging.configure(false);
        StopSignals stop = StopSignals.install();
        boolean temporary = dir == null;
        Path folder = temporary ? Files.createTempDirectory("mtls-gateway-demo-") : dir;
        try {
            DemoSetup setup = DemoSetup.prepare(folder);
            NativeWarmUp.await();
            try (EchoUpstream upstream = EchoUpstream.start(0)) {
                Path routes = setup.writeRouteFile("127.0.0.1", port, adminPort, upstream.port());
                try (GatewayServer server = GatewayServer.start(ConfigLoader.load(routes))) {
                    printInstructions(setup, routes, server.address("demo").getPort(), server.adminAddress().getPort());
                    if (!stopWhenReady) {
                        stop.await();
                    }
                }
            }
            return 0;
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return Main.EXIT_USAGE;
        } catch (StartException e) {
            e.problems().forEach(spec.commandLine().getErr()::println);
            return Main.EXIT_USAGE;
        } finally {
            if (temporary) {
                deleteRecursively(folder);
            }
        }
    }

    private void printInstructions(DemoSetup setup, Path routes, int boundPort, int boundAdminPort) {
        PrintWriter out = spec.commandLine().getOut();
        String url = "https://localhost:" + boundPort + "/hello";
        out.println();
        out.println("mtls-gateway demo is running on https://127.0.0.1:" + boundPort);
        out.println("  PKI and route file: " + setup.dir());
        out.println("  route file:         " + routes);
        out.println();
        out.println("With the demo client certificate (expect 200 and the identity the API received):");
        out.println("curl --cacert " + setup.caCertificate() + " --cert " + setup.clientCertificate() + " --key "
                + setup.clientKey() + " " + url);
        out.println("The same over HTTP/2 (curl -v shows \"ALPN: server accepted h2\"):");
        out.println("curl --http2 --cacert " + setup.caCertificate() + " --cert " + setup.clientCertificate()
                + " --key " + setup.clientKey() + " " + url);
        out.println();
        out.println("Without a client certificate (expect the TLS handshake to fail: certificate required):");
        out.println("curl --cacert " + setup.caCertificate() + " " + url);
        out.println();
        String payments = "https://localhost:" + boundPort + "/payments/transfer";
        String bearer = " -H \"Authorization: Bearer $(cat " + setup.tokenFile() + ")\" ";
        out.println("/payments also needs a token bound to the client certificate (RFC 8705). With the demo client's"
                + " token (expect 200, X-User-Id: " + DemoSetup.TOKEN_USER + "):");
        out.println("curl --cacert " + setup.caCertificate() + " --cert " + setup.clientCertificate() + " --key "
                + setup.clientKey() + bearer + payments);
        out.println("The same token sent with another valid client certificate, as a thief would"
                + " (expect 401, error=\"invalid_token\": binding_mismatch):");
        out.println("curl -i --cacert " + setup.caCertificate() + " --cert " + setup.otherClientCertificate() + " --key "
                + setup.otherClientKey() + bearer + payments);
        out.println("No token (expect 401 with WWW-Authenticate: Bearer realm=\"dev-idp\"):");
        out.println("curl -i --cacert " + setup.caCertificate() + " --cert " + setup.clientCertificate() + " --key "
                + setup.clientKey() + " " + payments);
        out.println("A fresh token: mtls-gateway pki token --dir " + setup.dir() + " --client " + DemoSetup.CLIENT_NAME
                + " --sub " + DemoSetup.TOKEN_USER + " --scope payments:write");
        out.println();
        out.println("Metrics (Prometheus) and health, on the loopback-only admin port:");
        out.println("curl http://127.0.0.1:" + boundAdminPort + "/metrics");
        out.println();
        out.println(stopWhenReady ? "Stopping (--stop-when-ready)." : "Press Ctrl-C to stop.");
        out.flush();
    }

    private static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
