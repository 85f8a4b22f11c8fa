package io.mtlsgateway.gateway.cli;

import io.mtlsgateway.config.ConfigException;
import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.gateway.server.GatewayServer;
import io.mtlsgateway.gateway.server.StartException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mtls-gateway run --config FILE}: serve until SIGTERM or SIGINT, then drain; SIGHUP
 * reloads. The signal handlers come first, before the config is read, so no signal during
 * start-up ends the process (they queue until the server exists); a problem at start is one line
 * per problem naming the file, and exit 2.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Serve the route file until stopped.")
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(RunCommand.class.getName());

    @Spec
    private CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The route file (YAML).")
    private Path config;

    @Option(names = {"-v", "--verbose"}, description = "Log details (stack traces of connection errors).")
    private boolean verbose;

    @Override
    public Integer call() throws Exception {
        Logging.configure(verbose);
        StopSignals stop = StopSignals.install();
        ReloadSignal hangup = ReloadSignal.install();
        LOG.info(() -> "starting (pid " + ProcessHandle.current().pid() + "): reading " + config);
        PrintWriter err = spec.commandLine().getErr();
        GatewayConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return Main.EXIT_USAGE;
        }
        if (stop.requested()) {
            return 0;
        }
        NativeWarmUp.await();
        GatewayServer started;
        try {
            started = GatewayServer.start(loaded);
        } catch (StartException e) {
            e.problems().forEach(err::println);
            err.flush();
            return Main.EXIT_USAGE;
        }
        try (GatewayServer server = started) {
            hangup.attach(server::reload);
            stop.await();
            // Exit 0 even when the drain timed out: the stop was asked for and carried out.
            server.drain();
        }
        return 0;
    }
}
