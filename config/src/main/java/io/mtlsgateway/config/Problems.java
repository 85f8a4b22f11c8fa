package io.mtlsgateway.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.Node;

/** Collects the problems found in one route file and hands them back in file order. */
final class Problems {
    private static final Comparator<ConfigProblem> FILE_ORDER =
            Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column);

    private final String file;
    // A set: a node reached twice through a YAML alias must not report the same problem twice.
    private final Set<ConfigProblem> problems = new LinkedHashSet<>();

    Problems(String file) {
        this.file = file;
    }

    /** Reports a problem at the start of {@code node}. */
    void at(Node node, String message) {
        at(node.getStartMark(), message);
    }

    /** Reports a problem at a snakeyaml mark (0-based), or for the whole file when there is none. */
    void at(Optional<Mark> mark, String message) {
        if (mark.isPresent()) {
            at(mark.get().getLine() + 1, mark.get().getColumn() + 1, message);
        } else {
            whole(message);
        }
    }

    /** Reports a problem at a 1-based line and column. */
    void at(int line, int column, String message) {
        problems.add(new ConfigProblem(file, line, column, message));
    }

    /** Reports a problem with the file as a whole. */
    void whole(String message) {
        problems.add(new ConfigProblem(file, 0, 0, message));
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    /**
     * Runs a record constructor, turning the invariant it rejects into a problem at {@code node}
     * instead of an exception. The binder checks every field first, so this is a safety net.
     */
    <T> Optional<T> construct(YamlNode node, Supplier<T> constructor) {
        try {
            return Optional.of(constructor.get());
        } catch (IllegalArgumentException | NullPointerException e) {
            node.problem(String.valueOf(e.getMessage()));
            return Optional.empty();
        }
    }

    /** Every problem so far, as one exception, in file order (whole-file problems first). */
    ConfigException exception() {
        List<ConfigProblem> sorted = new ArrayList<>(problems);
        sorted.sort(FILE_ORDER);
        return new ConfigException(sorted);
    }
}
