package io.mtlsgateway.config;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Turns route-file text into a snakeyaml node tree (YAML 1.2 core schema, so {@code yes} and
 * {@code off} stay strings). Syntax errors become problems at snakeyaml's mark. Before composing,
 * one pass over the parse events refuses what composing could not survive: nesting too deep, and
 * an alias inside the node it names (a merge key resolving such a cycle never ends).
 */
final class YamlComposer {
    /** Far deeper than any route file; the composer recurses per level and must not overflow. */
    static final int MAX_DEPTH = 64;

    private YamlComposer() {}

    /** The root node, or empty for a file with no document, reporting why there is none. */
    static Optional<Node> compose(String label, String text, Problems problems) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(label)
                .setAllowDuplicateKeys(false)
                .setAllowNonScalarKeys(true) // so the binder can report such a key at its mark
                .setSchema(new CoreSchema())
                .setMaxAliasesForCollections(10)
                .build();
        try {
            if (!composable(settings, text, problems)) {
                return Optional.empty();
            }
            return new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            String context = e.getContext() == null ? "" : " (" + e.getContext().strip() + ")";
            problems.at(e.getProblemMark().or(e::getContextMark), "YAML: " + String.valueOf(e.getProblem()).strip() + context);
        } catch (ReaderException e) {
            int[] lineColumn = lineColumn(text, e.getPosition());
            problems.at(lineColumn[0], lineColumn[1], String.format(
                    "YAML: character U+%04X is not allowed in a YAML file", e.getCodePoint()));
        } catch (YamlEngineException e) {
            problems.whole("YAML: " + e.getMessage());
        }
        return Optional.empty();
    }

    private static boolean composable(LoadSettings settings, String text, Problems problems) {
        // Each anchored node gets a definition number; an anchor name may be defined again later,
        // and an alias means the latest definition. An alias whose definition is a collection still
        // open at that point is inside the node it names: a cycle.
        Map<Anchor, Integer> latest = new HashMap<>();
        Deque<Integer> open = new ArrayDeque<>();
        int definitions = 0;
        for (Event event : new Parse(settings).parseString(text)) {
            switch (event.getEventId()) {
                case MappingStart, SequenceStart -> {
                    if (open.size() >= MAX_DEPTH) {
                        problems.at(event.getStartMark(), "YAML: nested deeper than " + MAX_DEPTH + " levels");
                        return false;
                    }
                    int definition = ++definitions;
                    ((NodeEvent) event).getAnchor().ifPresent(anchor -> latest.put(anchor, definition));
                    open.push(definition);
                }
                case MappingEnd, SequenceEnd -> open.pop();
                case Scalar -> ((NodeEvent) event).getAnchor().ifPresent(anchor -> latest.put(anchor, 0));
                case Alias -> {
                    Anchor anchor = ((AliasEvent) event).getAlias();
                    if (open.contains(latest.getOrDefault(anchor, 0))) {
                        problems.at(event.getStartMark(), "YAML: alias *" + anchor.getValue()
                                + " is inside the node it refers to (a recursive structure; expected: an alias"
                                + " to a node that ends before it)");
                        return false;
                    }
                }
                default -> { }
            }
        }
        return true;
    }

    /** 1-based line and column of a code-point offset, as snakeyaml's reader counts them. */
    private static int[] lineColumn(String text, int codePointOffset) {
        int line = 1;
        int column = 1;
        int index = 0;
        for (int i = 0; i < codePointOffset && index < text.length(); i++) {
            int c = text.codePointAt(index);
            index += Character.charCount(c);
            if (c == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new int[] {line, column};
    }
}
