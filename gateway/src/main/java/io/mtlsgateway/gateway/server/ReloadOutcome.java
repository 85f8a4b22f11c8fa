package io.mtlsgateway.gateway.server;

import java.util.List;

/**
 * How a reload ended.
 *
 * @param trigger what asked for it: {@code SIGHUP}, {@code file change}, or a caller's label
 * @param problems empty on success; otherwise every reason the new config was refused
 * @param kept on success, the host entries whose new files could not be used: each keeps serving
 *     with its previous TLS material and client policy while the rest of the reload applies
 */
public record ReloadOutcome(String trigger, List<String> problems, List<KeptHostEntry> kept) {
    public ReloadOutcome {
        problems = List.copyOf(problems);
        kept = List.copyOf(kept);
    }

    public ReloadOutcome(String trigger, List<String> problems) {
        this(trigger, problems, List.of());
    }

    /** Whether the new config was applied (perhaps with some host entries {@link #kept() kept}). */
    public boolean success() {
        return problems.isEmpty();
    }
}
