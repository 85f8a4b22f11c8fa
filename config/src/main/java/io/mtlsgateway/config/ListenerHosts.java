package io.mtlsgateway.config;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A listener's virtual hosts: the SNI of each ClientHello selects one entry, and with it the
 * server certificate and the client-certificate policy. Empty for a listener with one
 * {@code tls} section (every connection gets that).
 *
 * @param entries in file order
 * @param defaultName a name of one entry: the entry for a ClientHello without SNI or with an
 *     unknown one; empty means such a handshake fails with {@code unrecognized_name}
 */
public record ListenerHosts(List<HostConfig> entries, Optional<String> defaultName) {
    /** A listener without {@code hosts}. */
    public static final ListenerHosts NONE = new ListenerHosts(List.of(), Optional.empty());

    public ListenerHosts {
        entries = List.copyOf(entries);
        defaultName = defaultName.map(n -> n.toLowerCase(Locale.ROOT));
        Set<String> seen = new HashSet<>();
        for (HostConfig entry : entries) {
            for (String name : entry.names()) {
                if (!seen.add(name)) {
                    throw new IllegalArgumentException("hosts: " + name + " is listed twice (expected: each name once)");
                }
            }
        }
        Set<java.nio.file.Path> ticketKeys = new HashSet<>();
        for (HostConfig entry : entries) {
            for (java.nio.file.Path file : Set.copyOf(entry.tls().sessionTicketKeys())) {
                if (!ticketKeys.add(file)) {
                    throw new IllegalArgumentException("hosts: two entries share the sessionTicketKeys file " + file
                            + " (expected: each entry its own keys, so that a session of one entry can never"
                            + " resume on another and skip its client-certificate policy)");
                }
            }
        }
        if (entries.isEmpty() && defaultName.isPresent()) {
            throw new IllegalArgumentException("default: " + defaultName.get() + " (expected: only with hosts)");
        }
        defaultName.ifPresent(d -> {
            if (!seen.contains(d)) {
                throw new IllegalArgumentException("default: " + d + " (expected: one of the names of hosts)");
            }
        });
    }

    /** Whether the listener has virtual hosts at all. */
    public boolean present() {
        return !entries.isEmpty();
    }

    /** The entry named by {@code default}, if any. */
    public Optional<HostConfig> defaultEntry() {
        return defaultName.flatMap(d -> entries.stream().filter(e -> e.names().contains(d)).findFirst());
    }
}
