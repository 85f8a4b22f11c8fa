package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.gateway.identity.PeerIdentity;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/** The verifier's answer about one client chain. */
public sealed interface Verdict permits Verdict.Accepted, Verdict.Rejected {

    /**
     * The client is trusted.
     *
     * @param path the validated path, leaf first, without the trust anchor
     * @param anchor the clientCa certificate the path ends at
     */
    record Accepted(List<X509Certificate> path, X509Certificate anchor) implements Verdict {
        public Accepted {
            path = List.copyOf(path);
            Objects.requireNonNull(anchor, "anchor");
        }

        /** The client's identity, read from the validated path. */
        public PeerIdentity identity() {
            return PeerIdentity.of(path);
        }
    }

    /**
     * The client is refused.
     *
     * @param reason bounded, for metrics and the alert
     * @param detail for people: what is wrong with which certificate; never a whole certificate
     */
    record Rejected(RejectionReason reason, String detail) implements Verdict {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
