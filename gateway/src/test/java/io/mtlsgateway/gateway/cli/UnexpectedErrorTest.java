package io.mtlsgateway.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** A command that fails in a way it did not foresee prints one line and exits 2, never a stack trace. */
class UnexpectedErrorTest {
    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalArgumentException("depth: -5 (expected: >= 0)");
        }
    }

    @Test
    void anExceptionNoCommandCaughtIsOneLineNamingTheCommand() {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.addSubcommand(new Boom());
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute("boom");
        assertEquals(Main.EXIT_USAGE, exit);
        assertEquals("mtls-gateway boom: depth: -5 (expected: >= 0)" + System.lineSeparator(), err.toString());
        assertFalse(err.toString().contains("\tat "), err.toString());
    }
}
