package io.mtlsgateway.gateway.server;

import io.mtlsgateway.gateway.pipeline.TrustChangedEvent;
import io.mtlsgateway.gateway.verify.VerifierTrustManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What open connections must hear when a listener's new state replaces its previous one: nothing
 * when client trust (anchors, CRLs, OCSP mode, depth, certificate policy) is unchanged, so a route-only reload does not
 * re-check every connection. Each host entry is judged on its own: only the connections of an entry
 * whose trust changed re-check (an entry that kept its previous state in the reload has not).
 * Connections of an entry that no longer exists were verified by trust nobody vouches for now, and
 * close after their request.
 */
final class TrustChanges {
    private TrustChanges() {}

    static List<TrustChangedEvent> between(BuiltListenerSnapshot previous, BuiltListenerSnapshot fresh) {
        List<TrustChangedEvent> changes = new ArrayList<>();
        for (BuiltListenerSnapshot old : previous.faces()) {
            if (old.verifier() == null || old.tlsConfig() == null) {
                continue;
            }
            Optional<BuiltListenerSnapshot> next = fresh.faces().stream().filter(f -> f.host().equals(old.host())).findFirst();
            if (next.isEmpty()) {
                changes.add(new TrustChangedEvent(fresh.listener(), chain -> false, old.host()));
            } else if (!sameTrust(next.get(), old)) {
                VerifierTrustManager verifier = next.get().verifier();
                changes.add(new TrustChangedEvent(fresh.listener(),
                        verifier == null ? chain -> false : verifier::stillTrusts, old.host()));
            }
        }
        return changes;
    }

    private static boolean sameTrust(BuiltListenerSnapshot next, BuiltListenerSnapshot previous) {
        return next.tlsConfig() != null && next.tlsConfig().clientAuth() == previous.tlsConfig().clientAuth()
                && next.tlsConfig().ocsp() == previous.tlsConfig().ocsp()
                && next.tlsConfig().verifyDepth() == previous.tlsConfig().verifyDepth()
                // A policy that tightens (requireEku: true) must reach clients verified without it.
                && next.tlsConfig().requireEku() == previous.tlsConfig().requireEku()
                // Certificates and CRLs compare by their encoding.
                && next.material().clientCas().equals(previous.material().clientCas())
                && next.material().crls().equals(previous.material().crls());
    }
}
