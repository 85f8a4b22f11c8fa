package io.mtlsgateway.gateway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code mtls-gateway} command. Exit codes: 0 ok, 1 rejected or failed check, 2 bad usage or
 * bad config.
 */
@Command(
        name = "mtls-gateway",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Mutual-TLS reverse proxy for plaintext HTTP services.",
        subcommands = {CommandLine.HelpCommand.class, RunCommand.class, CheckCommand.class, DemoCommand.class,
                PkiCommand.class, VerifyCommand.class})
public final class Main {
    /** Exit code of a check that failed or a certificate that was rejected. */
    public static final int EXIT_REJECTED = 1;
    /** Exit code of bad usage or a bad config. */
    public static final int EXIT_USAGE = 2;

    public static void main(String[] args) {
        // First, while no Netty class is loaded yet: Netty reads these once, in static initialisers.
        RuntimeDefaults.apply(System.getProperties());
        System.exit(commandLine().execute(args));
    }

    /** The command line with every subcommand; tests execute it in-process. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExitCodeExceptionMapper(e -> EXIT_USAGE);
        return cli;
    }
}
