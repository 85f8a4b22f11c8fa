package io.mtlsgateway.config;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * A node of the composed YAML tree with its path in the route file ({@code routes[2].upstream}).
 * Each reader returns the typed value, or reports why it cannot at this node and returns empty.
 */
final class YamlNode {
    // YAML 1.2 core schema integers; the tag says "int" but a custom !!int tag can hold anything.
    private static final Pattern INTEGER = Pattern.compile("([-+]?)(?:0o([0-7]+)|0x([0-9a-fA-F]+)|([0-9]+))");
    private static final int MAX_SHOWN = 60;

    private final Node node;
    private final String path;
    private final Problems problems;

    private YamlNode(Node node, String path, Problems problems) {
        this.node = node;
        this.path = path;
        this.problems = problems;
    }

    static YamlNode root(Node node, Problems problems) {
        return new YamlNode(node, "", problems);
    }

    /** The dotted path of this node, such as {@code listeners[0].tls.crl[1]}; empty for the root. */
    String path() {
        return path;
    }

    /** The 1-based line this node starts on. */
    int line() {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    /** The 1-based column this node starts at. */
    int column() {
        return node.getStartMark().map(m -> m.getColumn() + 1).orElse(0);
    }

    Node node() {
        return node;
    }

    Problems problems() {
        return problems;
    }

    YamlNode child(Node child, String key) {
        return new YamlNode(child, path.isEmpty() ? key : path + "." + key, problems);
    }

    /** Reports {@code "path: message"} at this node. */
    void problem(String message) {
        problems.at(node, path.isEmpty() ? message : path + ": " + message);
    }

    /** Reports that this node is not what was expected: {@code "path: 'text' (expected: ...)"}. */
    void unexpected(String expected) {
        problem(describe() + " (expected: " + expected + ")");
    }

    /**
     * This node as a mapping whose keys must be among {@code allowedKeys}; an unknown or repeated
     * key is reported at the key itself.
     */
    Optional<YamlMapping> mapping(Collection<String> allowedKeys) {
        if (!(node instanceof MappingNode mappingNode)) {
            unexpected("a mapping");
            return Optional.empty();
        }
        return Optional.of(YamlMapping.of(this, mappingNode, allowedKeys));
    }

    /** This node as a mapping from names the file chooses (header names, upstream names). */
    Optional<YamlMapping> freeMapping() {
        return mapping(null);
    }

    /** This node as a list, each element with its index in its path. */
    Optional<List<YamlNode>> list() {
        if (!(node instanceof SequenceNode sequence)) {
            unexpected("a list");
            return Optional.empty();
        }
        List<YamlNode> items = new ArrayList<>();
        for (Node item : sequence.getValue()) {
            items.add(new YamlNode(item, path + "[" + items.size() + "]", problems));
        }
        return Optional.of(items);
    }

    /** A list, or a single scalar read as a list of one. */
    Optional<List<YamlNode>> listOrSingle() {
        return node instanceof ScalarNode && !isNull() ? Optional.of(List.of(this)) : list();
    }

    /** Any non-empty scalar as written ({@code 8080} and {@code true} are read as text too). */
    Optional<String> string() {
        if (!(node instanceof ScalarNode scalar) || isNull()) {
            unexpected("a string");
            return Optional.empty();
        }
        if (scalar.getValue().isBlank()) {
            problem("empty (expected: a non-empty string)");
            return Optional.empty();
        }
        return Optional.of(scalar.getValue());
    }

    /** A YAML integer within {@code min..max}; quoted numbers are strings and rejected. */
    Optional<Integer> integer(int min, int max) {
        Matcher m = node instanceof ScalarNode scalar && Tag.INT.equals(scalar.getTag())
                ? INTEGER.matcher(scalar.getValue())
                : null;
        if (m == null || !m.matches()) {
            unexpected("an integer");
            return Optional.empty();
        }
        String digits = m.group(2) != null ? m.group(2) : m.group(3) != null ? m.group(3) : m.group(4);
        int radix = m.group(2) != null ? 8 : m.group(3) != null ? 16 : 10;
        // Past 40 digits it is out of any int range; skip parsing a megabyte of digits.
        BigInteger value = digits.length() > 40 ? null : new BigInteger(m.group(1) + digits, radix);
        if (value == null
                || value.compareTo(BigInteger.valueOf(min)) < 0
                || value.compareTo(BigInteger.valueOf(max)) > 0) {
            String range = max == Integer.MAX_VALUE ? (min == 1 ? "> 0" : ">= " + min) : min + ".." + max;
            problem(describe() + " (expected: " + range + ")");
            return Optional.empty();
        }
        return Optional.of(value.intValue());
    }

    /** A YAML 1.2 boolean: {@code true} or {@code false}, never {@code yes}/{@code on}. */
    Optional<Boolean> bool() {
        String text = node instanceof ScalarNode scalar && Tag.BOOL.equals(scalar.getTag())
                ? scalar.getValue().toLowerCase(Locale.ROOT)
                : "";
        if (!text.equals("true") && !text.equals("false")) {
            unexpected("true or false");
            return Optional.empty();
        }
        return Optional.of(text.equals("true"));
    }

    /** A positive duration such as {@code 500ms}, {@code 2s}, {@code 5m} or {@code 1h}. */
    Optional<Duration> positiveDuration() {
        return string().flatMap(text -> {
            Duration value;
            try {
                value = Durations.parse(text);
            } catch (IllegalArgumentException e) {
                problem(e.getMessage());
                return Optional.empty();
            }
            if (value.isZero()) {
                problem(text.trim() + " (expected: > 0)");
                return Optional.empty();
            }
            return Optional.of(value);
        });
    }

    /** {@code host:port}, IPv6 in brackets. */
    Optional<HostPort> hostPort() {
        return string().flatMap(text -> {
            try {
                return Optional.of(HostPort.parse(text));
            } catch (IllegalArgumentException e) {
                problem(e.getMessage());
                return Optional.empty();
            }
        });
    }

    /** One of a fixed set of spellings, exactly as written in the docs. */
    <E> Optional<E> choice(E[] values, Function<E, String> spelling) {
        return string().flatMap(text -> {
            for (E value : values) {
                if (spelling.apply(value).equals(text)) {
                    return Optional.of(value);
                }
            }
            List<String> names = Arrays.stream(values).map(spelling).toList();
            problem(describe() + " " + Suggestions.expected(text, names, "one of " + String.join(", ", names)));
            return Optional.empty();
        });
    }

    /** Whether this node is the plain scalar {@code text}. */
    boolean isScalar(String text) {
        return node instanceof ScalarNode scalar && !isNull() && scalar.getValue().equals(text);
    }

    boolean isNull() {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    /** How this node reads in a message: {@code 'text'}, {@code 42}, {@code a list}, {@code empty}. */
    String describe() {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode scalar = (ScalarNode) node;
        if (isNull()) {
            return scalar.getValue().isEmpty() ? "empty" : scalar.getValue();
        }
        String shown = show(scalar.getValue());
        return Tag.STR.equals(scalar.getTag()) ? "'" + shown + "'" : shown;
    }

    /** Text safe to put in a one-line message: control characters escaped, long text cut. */
    static String show(String text) {
        String cut = text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "..." : text;
        return cut.codePoints()
                .mapToObj(c -> Character.isISOControl(c) ? String.format("\\u%04x", c) : Character.toString(c))
                .collect(Collectors.joining());
    }
}
