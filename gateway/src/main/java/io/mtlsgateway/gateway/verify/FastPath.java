package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.gateway.identity.DnFormat;
import io.mtlsgateway.gateway.identity.PeerIdentity;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * Accepts a new client's chain without the JDK's certificate parse and PKIX run, when it is of a shape the JDK
 * path has accepted before ({@link KnownShapes}): the same issuer (the same intermediate, byte for byte, or the
 * same anchor) and the same algorithms, so that all the JDK would decide about the chain that does not depend on
 * the leaf is already decided. What depends on the leaf is checked here, each as the JDK path checks it:
 *
 * <ul>
 *   <li>the leaf is read by {@link LeafFields}: strict DER, v3, only extensions it understands in full, so the
 *       JDK would find no unknown critical extension, and no field it would read differently;
 *   <li>chain building: the issuer name byte-equal to the shape's, key identifiers compatible, not self-issued;
 *   <li>the signature, natively, with the issuer's key (the code the JDK path's PKIX calls for it);
 *   <li>validity of the leaf, and of the intermediate, at the validation time, to the millisecond as the JDK does;
 *   <li>policy: not a CA, a P-256/P-384 key, extendedKeyUsage with clientAuth (or none, unless requireEku), keyUsage
 *       with digitalSignature.
 * </ul>
 *
 * <p>It only ever accepts. A chain it does not take, for whatever reason, goes to the JDK path, which gives every
 * rejection and its message exactly as before; so at worst a chain costs what it did. Client purpose only, and only
 * for a verifier without configured extra intermediates (the chain builder would search those too).
 */
final class FastPath {
    private final KnownShapes shapes;
    private final boolean enabled;
    private final boolean requireEku;

    FastPath(TrustAnchors anchors, Purpose purpose, boolean requireEku, boolean extraIntermediates) {
        this.shapes = new KnownShapes(anchors);
        this.requireEku = requireEku;
        this.enabled = purpose == Purpose.CLIENT && !extraIntermediates && ChainSignatures.nativeAvailable()
                && KnownShapes.algorithmRulesAreTimeless();
    }

    /** The verdict for {@code presented}, or null when the JDK path must judge it (which is never a rejection). */
    Verdict.Accepted validate(List<X509Certificate> presented, Instant at) {
        if (!enabled || presented.size() > 2 || shapes.size() == 0) {
            return null;
        }
        try {
            LeafFields leaf = LeafFields.parse(presented.get(0).getEncoded());
            if (leaf == null) {
                return null;
            }
            byte[] issuer = presented.size() == 2 ? presented.get(1).getEncoded() : leaf.issuer;
            KnownShapes.Shape shape = shapes.find(issuer, leaf);
            // A shape under an intermediate is for a leaf sent with it, one under an anchor for a leaf sent alone.
            if (shape == null || (shape.intermediate() != null) != (presented.size() == 2)
                    || !Arrays.equals(leaf.issuer, shape.leafIssuerName()) || !keyIdsAgree(leaf, shape)
                    || !within(leaf, at) || !policy(leaf)
                    || shape.intermediate() != null && !KnownShapes.withinValidity(shape.intermediate(), at)) {
                return null;
            }
            // Under an intermediate the chain builder refuses a self-issued leaf before it looks for the issuer.
            if (shape.intermediate() != null && !NameComparison.differ(leaf.subject, shape.leafIssuerName())
                    && new X500Principal(leaf.subject).equals(shape.leafIssuer())) {
                return null;
            }
            if (!ChainSignatures.verifiesNatively(leaf.signatureAlgorithm, leaf.tbs, leaf.signature,
                    shape.issuerKey())) {
                return null;
            }
            return accepted(presented.get(0), leaf, shape);
        } catch (CertificateEncodingException | RuntimeException e) {
            return null;
        }
    }

    /** Remembers the shape of a chain the JDK path accepted. */
    void learn(List<X509Certificate> presented, Verdict.Accepted accepted) {
        if (enabled) {
            shapes.learn(presented, accepted.path(), accepted.anchor());
        }
    }

    /** As {@link Certificates#mayHaveIssued}: when both say, the key identifiers must be equal. */
    private static boolean keyIdsAgree(LeafFields leaf, KnownShapes.Shape shape) {
        return leaf.authorityKeyId == null || shape.issuerKeyId() == null
                || Arrays.equals(leaf.authorityKeyId, shape.issuerKeyId());
    }

    /** The JDK's {@code checkValidity(Date)}: valid from notBefore to notAfter inclusive, in milliseconds. */
    private static boolean within(LeafFields leaf, Instant at) {
        long millis = at.toEpochMilli();
        return millis >= leaf.notBefore.toEpochMilli() && millis <= leaf.notAfter.toEpochMilli();
    }

    /** What {@link ClientCertificatePolicy} asks of a client leaf beyond what {@link LeafFields} already holds to. */
    private boolean policy(LeafFields leaf) {
        return leaf.hasExtendedKeyUsage ? leaf.clientAuth : !requireEku;
    }

    private static Verdict.Accepted accepted(X509Certificate presented, LeafFields leaf, KnownShapes.Shape shape) {
        ParsedLeaf parsed = new ParsedLeaf(presented, leaf, shape.leafIssuer());
        List<X509Certificate> path = shape.intermediate() == null ? List.of(parsed)
                : List.of(parsed, shape.intermediate());
        List<byte[]> der = shape.intermediate() == null ? List.of(leaf.der) : List.of(leaf.der, shape.intermediateDer());
        String subject = DnFormat.plainRfc2253(leaf.subject);
        if (subject == null) {
            subject = DnFormat.rfc2253(parsed.getSubjectX500Principal());
        }
        PeerIdentity identity = PeerIdentity.of(subject, shape.leafIssuerText(), leaf.serialHex, leaf.sanDns,
                leaf.sanUri, leaf.sanEmail, leaf.notBefore, leaf.notAfter, der);
        return new Verdict.Accepted(path, shape.anchor(), identity);
    }
}
