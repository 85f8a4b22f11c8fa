package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.config.ServerName;
import io.mtlsgateway.gateway.identity.PeerIdentity;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Judges an upstream's certificate: the chain exactly as a client's is judged, with server
 * purpose ({@link ClientVerifier} built with {@link Purpose#SERVER}: anchors, validity, CRLs,
 * constraints, serverAuth, weak keys), then its identity: the name the gateway connected to
 * ({@link ServerNameMatcher}), or, when the upstream has identity pins, one of those instead. Pins
 * replace the name because a workload identity (a SPIFFE SVID) often carries no DNS name at all.
 * Plain Java; thread-safe.
 */
public final class ServerVerifier {
    private final ClientVerifier chains;
    private final Pins pins;

    /**
     * Identity pins: any of them must accept the leaf.
     *
     * @param shown how messages list them, e.g. {@code spiffe: spiffe://bank.example/ns/prod/sa/ledger}
     */
    public record Pins(Predicate<PeerIdentity> accepts, String shown) {
        public Pins {
            Objects.requireNonNull(accepts, "accepts");
            Objects.requireNonNull(shown, "shown");
        }
    }

    private ServerVerifier(ClientVerifier chains, Pins pins) {
        if (chains.purpose() != Purpose.SERVER) {
            throw new IllegalArgumentException("a server verifier needs a chain verifier built with Purpose.SERVER");
        }
        this.chains = chains;
        this.pins = pins;
    }

    /** Checks the chain and the name connected to. */
    public static ServerVerifier checkingNames(ClientVerifier chains) {
        return new ServerVerifier(chains, null);
    }

    /** Checks the chain and that the leaf matches one of {@code pins} (the name is not checked). */
    public static ServerVerifier pinned(ClientVerifier chains, Pins pins) {
        return new ServerVerifier(chains, Objects.requireNonNull(pins, "pins"));
    }

    /** The trust anchors (the upstream's tls.ca). */
    public List<X509Certificate> anchors() {
        return chains.anchors();
    }

    /**
     * Full verification of what the upstream sent, leaf first. Never waits for a network answer
     * (upstream chains are checked against CRL files only), so safe on an event loop.
     *
     * @param name the name connected to; checked unless this verifier has pins
     */
    public Verdict verify(List<X509Certificate> presented, ServerName name) {
        return identity(chains.verify(presented, false), name);
    }

    /** The cheap re-check for a resumed session (see {@link ClientVerifier#recheck}), then the identity. */
    public Verdict recheck(List<X509Certificate> presented, ServerName name) {
        return identity(chains.recheck(presented), name);
    }

    private Verdict identity(Verdict chain, ServerName name) {
        if (!(chain instanceof Verdict.Accepted accepted)) {
            return chain;
        }
        X509Certificate leaf = accepted.path().get(0);
        if (pins == null) {
            Verdict.Rejected mismatch = ServerNameMatcher.check(leaf, Objects.requireNonNull(name, "name"));
            return mismatch != null ? mismatch : accepted;
        }
        PeerIdentity identity;
        try {
            identity = accepted.identity();
        } catch (RuntimeException e) {
            return new Verdict.Rejected(RejectionReason.MALFORMED, "the names of server certificate "
                    + Certificates.describe(leaf) + " cannot be read: " + e.getMessage());
        }
        if (pins.accepts().test(identity)) {
            return accepted;
        }
        return new Verdict.Rejected(RejectionReason.PIN_MISMATCH, "server certificate " + Certificates.describe(leaf)
                + " (SPIFFE ID " + identity.spiffe().orElse("none") + ", DNS names " + identity.sanDns()
                + ") matches none of the pins: " + pins.shown());
    }
}
