package io.mtlsgateway.gateway.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** One line per event on stderr: time, level, logger, message; the JDK's logging, no extra dependency. */
final class Logging {
    private static final String FORMAT = "%1$tFT%1$tT.%1$tLZ %4$-7s %3$s: %5$s%6$s%n";

    private Logging() {}

    static void configure(boolean verbose) {
        if (System.getProperty("java.util.logging.config.file") != null) {
            return; // the operator brought their own configuration
        }
        System.setProperty("java.util.logging.SimpleFormatter.format", FORMAT);
        LogManager.getLogManager().reset();
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new SimpleFormatter());
        Level level = verbose ? Level.FINE : Level.INFO;
        handler.setLevel(level);
        Logger root = Logger.getLogger("");
        root.addHandler(handler);
        root.setLevel(Level.INFO);
        Logger.getLogger("io.mtlsgateway").setLevel(level);
    }
}
