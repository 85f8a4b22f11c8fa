package io.mtlsgateway.gateway.server;

import java.util.List;

/**
 * How a reload ended.
 *
 * @param trigger what asked for it: {@code SIGHUP}, {@code file change}, or a caller's label
 * @param problems empty on success; otherwise every reason the new config was refused
 */
public record ReloadOutcome(String trigger, List<String> problems) {
    public ReloadOutcome {
        problems = List.copyOf(problems);
    }

    public boolean success() {
        return problems.isEmpty();
    }
}
