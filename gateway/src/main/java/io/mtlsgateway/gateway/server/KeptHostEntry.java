package io.mtlsgateway.gateway.server;

import java.util.List;
import java.util.Objects;

/**
 * A host entry that a reload could not build: it keeps serving new connections with the TLS
 * material and client policy it had (its last good state), while the listener's other entries
 * and everything else the reload changed take effect.
 *
 * @param listener the listener's name
 * @param host the entry's first name (the bounded {@code host} label)
 * @param problems why the entry's new state could not be built, each naming its file
 */
public record KeptHostEntry(String listener, String host, List<String> problems) {
    public KeptHostEntry {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(host, "host");
        problems = List.copyOf(problems);
    }

    /** One line for the reload's log and outcome. */
    public String describe() {
        return "listener " + listener + " host " + host + ": keeps its previous certificate and client policy: "
                + String.join("; ", problems);
    }
}
