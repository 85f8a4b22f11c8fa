package io.mtlsgateway.gateway.vhost;

import io.mtlsgateway.config.HostConfig;
import io.mtlsgateway.config.ListenerHosts;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Which entry of a listener's {@code hosts} a server name selects. An exact name wins over a
 * wildcard; a wildcard {@code *.example.com} stands for exactly one label ({@code a.example.com},
 * never {@code example.com} or {@code a.b.example.com}), so at most one wildcard can apply. Names
 * compare without case and without a trailing dot. The same table judges the SNI at the handshake
 * and the Host of each request, so the two can never disagree about which entry a name belongs to.
 */
public final class HostNameTable {
    private final Map<String, Integer> exact = new HashMap<>();
    /** Keyed by the suffix after {@code *.}. */
    private final Map<String, Integer> wildcards = new HashMap<>();
    private final OptionalInt defaultEntry;

    /** What a ClientHello's server name led to. */
    public enum Outcome {
        /** The SNI is one of an entry's names. */
        MATCHED,
        /** No SNI: the default entry, if there is one. */
        NO_SNI,
        /** An SNI no entry names: the default entry, if there is one. */
        UNKNOWN_SNI
    }

    /**
     * The entry a handshake is served with.
     *
     * @param entry the index of the entry; empty when there is none (no default): the handshake fails
     */
    public record Selection(OptionalInt entry, Outcome outcome) {}

    /**
     * @param names each entry's names, in entry order (exact names or {@code *.} wildcards)
     * @param defaultEntry the index of the default entry, if any
     * @throws IllegalArgumentException when a name is listed twice
     */
    public HostNameTable(List<List<String>> names, OptionalInt defaultEntry) {
        for (int i = 0; i < names.size(); i++) {
            for (String name : names.get(i)) {
                String normal = normalize(name);
                Map<String, Integer> target = normal.startsWith("*.") ? wildcards : exact;
                String key = normal.startsWith("*.") ? normal.substring(2) : normal;
                if (target.putIfAbsent(key, i) != null) {
                    throw new IllegalArgumentException("host name " + name + " is listed twice");
                }
            }
        }
        defaultEntry.ifPresent(d -> {
            if (d < 0 || d >= names.size()) {
                throw new IllegalArgumentException("default entry " + d + " (expected: 0.." + (names.size() - 1) + ")");
            }
        });
        this.defaultEntry = defaultEntry;
    }

    /** The entry whose names include {@code name}; no default applies. */
    public OptionalInt lookup(String name) {
        if (name == null || name.isEmpty()) {
            return OptionalInt.empty();
        }
        String normal = normalize(name);
        Integer hit = exact.get(normal);
        if (hit == null) {
            int dot = normal.indexOf('.');
            // The first label is what a wildcard stands for: it must not be empty.
            if (dot > 0) {
                hit = wildcards.get(normal.substring(dot + 1));
            }
        }
        return hit == null ? OptionalInt.empty() : OptionalInt.of(hit);
    }

    /** The table of a listener's {@code hosts}, entries in file order. */
    public static HostNameTable of(ListenerHosts hosts) {
        List<List<String>> names = hosts.entries().stream().map(HostConfig::names).toList();
        OptionalInt defaultEntry = OptionalInt.empty();
        if (hosts.defaultEntry().isPresent()) {
            defaultEntry = OptionalInt.of(hosts.entries().indexOf(hosts.defaultEntry().get()));
        }
        return new HostNameTable(names, defaultEntry);
    }

    /** The entry a ClientHello with this server name (null when it sent none) is served with. */
    public Selection select(String sni) {
        if (sni == null || sni.isEmpty()) {
            return new Selection(defaultEntry, Outcome.NO_SNI);
        }
        OptionalInt hit = lookup(sni);
        return hit.isPresent() ? new Selection(hit, Outcome.MATCHED) : new Selection(defaultEntry, Outcome.UNKNOWN_SNI);
    }

    /** The index of the default entry, if there is one. */
    public OptionalInt defaultEntry() {
        return defaultEntry;
    }

    /** The spelling names compare in: lower case, without a trailing dot. */
    public static String normalize(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
