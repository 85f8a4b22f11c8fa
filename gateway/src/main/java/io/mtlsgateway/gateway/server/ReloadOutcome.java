package io.mtlsgateway.gateway.server;

import java.util.List;

/**
 * How a reload ended.
 *
 * @param trigger what asked for it: {@code SIGHUP}, {@code file change}, or a caller's label
 * @param problems empty on success; otherwise every reason the new config was refused
 * @param kept on success, the host entries whose new files could not be used: each keeps serving
 *     with its previous TLS material and client policy while the rest of the reload applies
 * @param retryable on a refusal, whether its reason is not the files' content (the time limit,
 *     stuck earlier reloads, an unexpected error): the same files may well load on another try
 */
public record ReloadOutcome(String trigger, List<String> problems, List<KeptHostEntry> kept, boolean retryable) {
    public ReloadOutcome {
        problems = List.copyOf(problems);
        kept = List.copyOf(kept);
        retryable = retryable && !problems.isEmpty();
    }

    /** Applied, perhaps with some host entries kept. */
    static ReloadOutcome applied(String trigger, List<KeptHostEntry> kept) {
        return new ReloadOutcome(trigger, List.of(), kept, false);
    }

    /** Refused for the files' content: trying the same files again would be refused again. */
    static ReloadOutcome refusedForContent(String trigger, List<String> problems) {
        return new ReloadOutcome(trigger, problems, List.of(), false);
    }

    /** Refused for a reason other than the files' content. */
    static ReloadOutcome refusedForNow(String trigger, List<String> problems) {
        return new ReloadOutcome(trigger, problems, List.of(), true);
    }

    /** Whether the new config was applied (perhaps with some host entries {@link #kept() kept}). */
    public boolean success() {
        return problems.isEmpty();
    }
}
