package io.mtlsgateway.gateway.vhost;

import io.mtlsgateway.config.ClientAuthMode;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The host entry a connection's handshake selected, as the request stage sees it: a request
 * whose Host belongs to another entry, or to none, is misdirected (421), because the connection
 * was verified under this entry's policy only.
 *
 * @param label the entry's first name: the bounded {@code host} label of logs and metrics
 * @param table the listener's names, to judge each request's Host exactly as the SNI was judged
 * @param entry this entry's index in {@code table}
 * @param clientAuth this entry's client-certificate policy
 */
public record HostScope(String label, HostNameTable table, int entry, ClientAuthMode clientAuth) {
    public HostScope {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(clientAuth, "clientAuth");
    }

    /** Whether a request with this Host (port removed) belongs on this connection. */
    public boolean covers(String host) {
        OptionalInt owner = table.lookup(host);
        return owner.isPresent() && owner.getAsInt() == entry;
    }
}
