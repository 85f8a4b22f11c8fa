package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.vhost.HostNameTable;
import java.util.List;
import java.util.Objects;

/**
 * The host entries of one listener snapshot: the table that turns a ClientHello's server name
 * into an entry, and each entry's own snapshot (its TLS context and its HTTP stage).
 *
 * @param entries in the table's entry order
 */
public record VirtualHosts(String listener, HostNameTable table, List<? extends ListenerSnapshot> entries) {
    public VirtualHosts {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(table, "table");
        entries = List.copyOf(entries);
    }
}
