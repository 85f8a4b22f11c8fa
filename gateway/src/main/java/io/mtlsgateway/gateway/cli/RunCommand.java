package io.mtlsgateway.gateway.cli;

import io.mtlsgateway.config.ConfigException;
import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.gateway.server.GatewayServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mtls-gateway run --config FILE}: serve until SIGTERM or SIGINT, then drain; SIGHUP
 * reloads.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Serve the route file until stopped.")
final class RunCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The route file (YAML).")
    private Path config;

    @Option(names = {"-v", "--verbose"}, description = "Log details (stack traces of connection errors).")
    private boolean verbose;

    @Override
    public Integer call() throws Exception {
        Logging.configure(verbose);
        GatewayConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return Main.EXIT_USAGE;
        }
        try (GatewayServer server = GatewayServer.start(loaded)) {
            ReloadSignal.install(server);
            StopSignals.await();
            // Exit 0 even when the drain timed out: the stop was asked for and carried out.
            server.drain();
        }
        return 0;
    }
}
