package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.gateway.identity.PeerIdentity;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/** The verifier's answer about one client chain. */
public sealed interface Verdict permits Verdict.Accepted, Verdict.Rejected {

    /**
     * The client is trusted. The handshake and {@code mtls-gateway verify} both take the identity
     * from here, so they cannot disagree about who a client is.
     *
     * @param path the validated path, leaf first, without the trust anchor
     * @param anchor the clientCa certificate the path ends at
     * @param identity the client's identity, read from {@code path}
     */
    record Accepted(List<X509Certificate> path, X509Certificate anchor, PeerIdentity identity) implements Verdict {
        public Accepted {
            path = List.copyOf(path);
            Objects.requireNonNull(anchor, "anchor");
            Objects.requireNonNull(identity, "identity");
        }

        /** Reads the identity from the validated path (once: callers keep the verdict, not the path). */
        public Accepted(List<X509Certificate> path, X509Certificate anchor) {
            this(path, anchor, PeerIdentity.of(path));
        }
    }

    /**
     * The client is refused.
     *
     * @param reason bounded, for metrics and the alert
     * @param detail for people: what is wrong with which certificate; never a whole certificate
     */
    record Rejected(HandshakeReason reason, String detail) implements Verdict {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
