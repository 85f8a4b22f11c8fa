package io.mtlsgateway.gateway.pipeline;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A reload changed what a listener trusts (CA bundle, CRLs): each open connection of that
 * listener re-checks its client's chain, and one whose client is no longer trusted (revoked, say)
 * closes after its in-flight request.
 *
 * @param stillTrusted the new verifier's non-blocking re-check (CRL index and cached OCSP answers)
 */
public record TrustChangedEvent(String listener, Predicate<List<X509Certificate>> stillTrusted)
        implements ConnectionEvent {
    public TrustChangedEvent {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(stillTrusted, "stillTrusted");
    }
}
