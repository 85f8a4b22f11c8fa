package io.mtlsgateway.config;

import java.util.Objects;

/**
 * One thing wrong with a route file, at a 1-based line and column (0 when the problem is with the
 * file as a whole).
 */
public record ConfigProblem(String file, int line, int column, String message) {
    public ConfigProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(message, "message");
    }

    /** {@code file:line:column: message}, the form editors and CI logs link to. */
    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ":" + column + ": " + message : file + ": " + message;
    }
}
