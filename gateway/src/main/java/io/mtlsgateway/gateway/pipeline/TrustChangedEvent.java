package io.mtlsgateway.gateway.pipeline;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A reload changed what a listener trusts (CA bundle, CRLs): each open connection of that
 * listener re-checks its client's chain, and one whose client is no longer trusted (revoked, say)
 * closes after its in-flight request.
 *
 * @param stillTrusted the new verifier's non-blocking re-check (CRL index and cached OCSP answers)
 * @param host on a listener with {@code hosts}: the entry whose trust changed (its first name);
 *     connections of the other entries were verified by other trust material and ignore it
 * @param why what a connection that closes for it logs: why its client is no longer trusted
 */
public record TrustChangedEvent(String listener, Predicate<List<X509Certificate>> stillTrusted,
        Optional<String> host, String why) implements ConnectionEvent {
    static final String RELOADED = "the reloaded trust material no longer accepts its certificate";

    public TrustChangedEvent {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(stillTrusted, "stillTrusted");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(why, "why");
    }

    /** A reload changed the trust material of this listener (and host entry, if any). */
    public TrustChangedEvent(String listener, Predicate<List<X509Certificate>> stillTrusted, Optional<String> host) {
        this(listener, stillTrusted, host, RELOADED);
    }

    /** A certificate of this connection's client path expired at {@code notAfter} ({@link CertificateExpiry}). */
    static TrustChangedEvent expired(String listener, Optional<String> host, Instant notAfter) {
        return new TrustChangedEvent(listener, chain -> false, host, "its certificate expired at " + notAfter);
    }

    /** A change on a listener with one TLS policy. */
    public TrustChangedEvent(String listener, Predicate<List<X509Certificate>> stillTrusted) {
        this(listener, stillTrusted, Optional.empty());
    }

    /** Whether a connection of this listener (and host entry, if any) must re-check its client. */
    public boolean concerns(String connectionListener, Optional<String> connectionHost) {
        return listener.equals(connectionListener) && host.equals(connectionHost);
    }
}
