package io.mtlsgateway.config;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * The entries of a YAML mapping by key, in file order. Building one reports unknown keys, keys
 * that are not strings, and repeated keys (snakeyaml's composer keeps repeats), each at the key.
 */
final class YamlMapping {

    /** One entry: the key as text, the key node (for problems about the key) and the value. */
    record Entry(String key, YamlNode keyNode, YamlNode value) {}

    private final YamlNode owner;
    private final Map<String, Entry> entries;
    private final int size;

    private YamlMapping(YamlNode owner, Map<String, Entry> entries, int size) {
        this.owner = owner;
        this.entries = entries;
        this.size = size;
    }

    /** @param allowedKeys the keys this mapping may hold, in documentation order; null for any */
    static YamlMapping of(YamlNode owner, MappingNode node, Collection<String> allowedKeys) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        int size = 0;
        for (NodeTuple tuple : node.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode keyScalar) || Tag.NULL.equals(keyScalar.getTag())) {
                owner.problems().at(tuple.getKeyNode(), prefix(owner) + "a key that is not a string (expected: a name)");
                continue;
            }
            String key = keyScalar.getValue();
            YamlNode keyNode = owner.child(keyScalar, key);
            Entry first = entries.get(key);
            if (first != null) {
                keyNode.problem("duplicate key (first at line " + first.keyNode().line() + ")");
                continue;
            }
            size++;
            if (allowedKeys != null && !allowedKeys.contains(key)) {
                String hint = Suggestions.closest(key, allowedKeys)
                        .map(c -> "did you mean '" + c + "'?")
                        .orElse("expected one of: " + String.join(", ", allowedKeys));
                owner.problems().at(keyScalar, prefix(owner) + "unknown key '" + YamlNode.show(key) + "' (" + hint + ")");
                // Kept out of the entries: binding it would only repeat the problem.
                entries.put(key, new Entry(key, keyNode, null));
                continue;
            }
            entries.put(key, new Entry(key, keyNode, owner.child(tuple.getValueNode(), key)));
        }
        return new YamlMapping(owner, entries, size);
    }

    private static String prefix(YamlNode owner) {
        return owner.path().isEmpty() ? "" : owner.path() + ": ";
    }

    /** The mapping node itself. */
    YamlNode owner() {
        return owner;
    }

    /** How many distinct keys the mapping holds, known or not. */
    int size() {
        return size;
    }

    /** The known entries, in file order. */
    List<Entry> entries() {
        return entries.values().stream().filter(e -> e.value() != null).toList();
    }

    /** The value of {@code key}, if present. */
    Optional<YamlNode> get(String key) {
        return Optional.ofNullable(entries.get(key)).map(Entry::value);
    }

    /** Reads {@code key} with {@code reader}, or reports it missing (at the mapping). */
    <T> Optional<T> required(String key, String expected, Function<YamlNode, Optional<T>> reader) {
        Optional<YamlNode> value = get(key);
        if (value.isEmpty()) {
            if (!entries.containsKey(key)) {
                owner.problem("missing key '" + key + "' (expected: " + expected + ")");
            }
            return Optional.empty();
        }
        return reader.apply(value.get());
    }

    /** Reads {@code key} with {@code reader}, or gives {@code fallback} when the key is absent. */
    <T> Optional<T> optional(String key, Function<YamlNode, Optional<T>> reader, T fallback) {
        Optional<YamlNode> value = get(key);
        return value.isPresent() ? reader.apply(value.get()) : Optional.of(fallback);
    }
}
