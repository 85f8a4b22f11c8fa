package io.mtlsgateway.gateway.verify;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Orders what the peer sent into a path from its leaf up to a trust anchor, by issuer name
 * and key identifiers (no signatures: PKIX checks those next). Only certificates the peer sent
 * (plus configured extra intermediates) are used: nothing is fetched, so a peer that leaves out
 * its intermediate is told so.
 */
final class ChainBuilder {
    /** A path, leaf first, and the anchor that appears to have issued its last certificate. */
    record Built(List<X509Certificate> path, X509Certificate anchor) {}

    /** Either a path or why there is none. */
    record Result(Built built, Verdict.Rejected rejection) {}

    private final TrustAnchors anchors;
    private final List<X509Certificate> extraIntermediates;
    private final int verifyDepth;
    private final Purpose purpose;

    ChainBuilder(TrustAnchors anchors, List<X509Certificate> extraIntermediates, int verifyDepth, Purpose purpose) {
        this.purpose = purpose;
        this.anchors = anchors;
        this.extraIntermediates = List.copyOf(extraIntermediates);
        this.verifyDepth = verifyDepth;
    }

    Result build(List<X509Certificate> presented) {
        List<X509Certificate> pool = new ArrayList<>(presented.subList(1, presented.size()));
        pool.addAll(extraIntermediates);
        List<X509Certificate> path = new ArrayList<>();
        X509Certificate current = presented.get(0);
        path.add(current);
        while (true) {
            X509Certificate anchor = anchors.issuerOf(current);
            if (anchor != null) {
                return new Result(new Built(path, anchor), null);
            }
            if (Certificates.selfIssued(current)) {
                return rejected(RejectionReason.UNTRUSTED, (path.size() == 1 ? "self-signed certificate "
                        : "the chain ends at self-signed ") + Certificates.describe(current)
                        + ", which is not one of the " + purpose.anchors() + " trust anchors");
            }
            X509Certificate next = issuerIn(pool, path, current);
            if (next == null) {
                return rejected(RejectionReason.UNTRUSTED, "no issuer found for " + Certificates.describe(current)
                        + ": its issuer " + Certificates.name(current.getIssuerX500Principal())
                        + " is not a " + purpose.anchors() + " trust anchor and the " + purpose.peer()
                        + " did not send it as an intermediate (if it is an intermediate CA, the " + purpose.peer()
                        + " must send its chain: leaf, then intermediates)");
            }
            path.add(next);
            if (path.size() - 1 > verifyDepth) {
                return rejected(RejectionReason.DEPTH, "the chain has more than " + verifyDepth
                        + " intermediate certificate(s) between the leaf and a trust anchor (verifyDepth "
                        + verifyDepth + ")");
            }
            current = next;
        }
    }

    private static X509Certificate issuerIn(List<X509Certificate> pool, List<X509Certificate> path,
            X509Certificate cert) {
        for (X509Certificate candidate : pool) {
            if (!path.contains(candidate) && Certificates.mayHaveIssued(candidate, cert)) {
                return candidate;
            }
        }
        return null;
    }

    private static Result rejected(RejectionReason reason, String detail) {
        return new Result(null, new Verdict.Rejected(reason, detail));
    }
}
