package io.mtlsgateway.gateway.cli;

import java.util.logging.Level;
import java.util.logging.Logger;
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
        description = "Mutual-TLS reverse proxy for plaintext HTTP services.")
public final class Main {
    /** Exit code of a check that failed or a certificate that was rejected. */
    public static final int EXIT_REJECTED = 1;
    /** Exit code of bad usage or a bad config. */
    public static final int EXIT_USAGE = 2;
    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    public static void main(String[] args) {
        // First, while no Netty class is loaded yet: Netty reads these once, in static initialisers.
        RuntimeDefaults.apply(System.getProperties());
        if (servesOnStart(args)) {
            NativeWarmUp.start();
        }
        System.exit(commandLine(args).execute(args));
    }

    /**
     * Whether {@code args} start a server ({@code run}, {@code demo}): then Netty's native libraries
     * are loaded alongside the parsing and the route file ({@link NativeWarmUp}).
     */
    static boolean servesOnStart(String[] args) {
        return args.length > 0 && (args[0].equals("run") || args[0].equals("demo"));
    }

    /** The command line with every subcommand; tests execute it in-process. */
    public static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command line that executes {@code args}. For {@code run} it holds that subcommand alone:
     * picocli reads every subcommand's annotations by reflection when it builds one, and the others'
     * (pki with its own subcommands, verify, check, demo) cost a start ~80 ms of CPU before the route
     * file is even read. Everything else, {@code run --help} included, reads the same either way;
     * only the list of commands needs them all, and any other first argument gets them.
     */
    static CommandLine commandLine(String[] args) {
        CommandLine cli = new CommandLine(new Main());
        if (args.length > 0 && args[0].equals("run")) {
            cli.addSubcommand(new RunCommand());
        } else {
            cli.addSubcommand(new CommandLine.HelpCommand());
            cli.addSubcommand(new RunCommand());
            cli.addSubcommand(new CheckCommand());
            cli.addSubcommand(new DemoCommand());
            cli.addSubcommand(new PkiCommand());
            cli.addSubcommand(new VerifyCommand());
        }
        // After the subcommands: picocli hands the mapper to those present when it is set.
        cli.setExitCodeExceptionMapper(e -> EXIT_USAGE);
        cli.setExecutionExceptionHandler(Main::unexpected);
        return cli;
    }

    /**
     * What a command did not turn into a message of its own: one line naming the command and the
     * problem, never a stack trace (picocli's default prints one for any exception a command throws;
     * input a user can give must not produce one). The trace is logged at FINE for a developer.
     */
    static int unexpected(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
        LOG.log(Level.FINE, "unexpected error in " + command.getCommandName(), e);
        String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                : e.getMessage();
        command.getErr().println("mtls-gateway " + command.getCommandName() + ": " + message);
        command.getErr().flush();
        return EXIT_USAGE;
    }
}
