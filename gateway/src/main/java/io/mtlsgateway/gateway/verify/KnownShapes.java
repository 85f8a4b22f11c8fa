package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.gateway.identity.DnFormat;
import java.security.PublicKey;
import java.security.Security;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.Extension;

/**
 * What the JDK's validation has shown about the part of a chain that is the same for many clients: the issuer
 * of their leaves (an intermediate they send, or a trust anchor), the anchor above it, and the algorithms of the
 * leaf's signature and key. Learned only from a chain the JDK path (chain building, PKIX, policy) has just
 * accepted, and only where nothing the JDK decides about that part depends on the leaf below it: no name
 * constraints, policy constraints, policy mappings or inhibitAnyPolicy on the issuer or the anchor, the leaf's
 * issuer name matched by exactly the anchor (or by no anchor, for an intermediate) the chain builder chose, and a
 * JVM whose {@code jdk.certpath.disabledAlgorithms} has no date-dependent rule ({@code denyAfter}) for the
 * algorithms these chains use. A leaf of a known shape is then {@link FastPath}'s to check; the shape's own
 * validity (the intermediate's dates) is checked again every time. Bounded; belongs to one verifier, so new trust
 * material starts with none.
 */
final class KnownShapes {
    /** Distinct issuer and algorithm combinations remembered: real deployments have a handful. */
    static final int MAX_SHAPES = 64;
    /** Extensions of an issuer or anchor that make the JDK's verdict depend on the leaf: such shapes are not kept. */
    private static final List<String> LEAF_DEPENDENT = List.of(Extension.nameConstraints.getId(),
            Extension.policyConstraints.getId(), Extension.policyMappings.getId(), Extension.inhibitAnyPolicy.getId());
    /** Algorithms a {@code denyAfter} rule may name without turning the fast path off: none of them is used in it. */
    private static final Set<String> NEVER_FAST = Set.of("MD2", "MD5", "SHA1", "DSA");

    /** What a shape is found by: the leaf's issuer (the intermediate's DER, or the issuer name under an anchor) and algorithms. */
    record Key(byte[] issuer, byte[] signatureAlgorithm, byte[] keyAlgorithm) {
        static Key of(byte[] issuer, LeafFields leaf) {
            return new Key(issuer, leaf.signatureAlgorithmId, leaf.keyAlgorithmId);
        }

        boolean matches(byte[] otherIssuer, LeafFields leaf) {
            return Arrays.equals(issuer, otherIssuer) && Arrays.equals(signatureAlgorithm, leaf.signatureAlgorithmId)
                    && Arrays.equals(keyAlgorithm, leaf.keyAlgorithmId);
        }
    }

    /**
     * A known shape.
     *
     * @param leafIssuerName the DER of the name the leaves' issuer field must hold, byte for byte
     * @param leafIssuer that name as the JDK read it from the learning leaf (the same bytes)
     * @param leafIssuerText the same name as the identity prints it
     * @param issuerKey the key the leaves are signed with
     * @param issuerKeyId the issuer's subject key identifier, or null
     * @param intermediate the intermediate the leaves' clients send, or null when an anchor issues them
     * @param intermediateDer its DER, or null
     * @param anchor the trust anchor of the path
     */
    record Shape(byte[] leafIssuerName, X500Principal leafIssuer, String leafIssuerText, PublicKey issuerKey,
            byte[] issuerKeyId, X509Certificate intermediate, byte[] intermediateDer, X509Certificate anchor) {}

    private record Known(Key key, Shape shape) {}

    /** Few, and read on every new client: a scan of byte comparisons costs less than hashing an intermediate. */
    private final List<Known> shapes = new CopyOnWriteArrayList<>();
    private final TrustAnchors anchors;

    KnownShapes(TrustAnchors anchors) {
        this.anchors = anchors;
    }

    /** Whether this JVM's algorithm rules are the same at every validation time for the algorithms used here. */
    static boolean algorithmRulesAreTimeless() {
        String rules = Security.getProperty("jdk.certpath.disabledAlgorithms");
        if (rules == null) {
            return true;
        }
        for (String rule : rules.split(",")) {
            String trimmed = rule.trim();
            if (trimmed.toLowerCase(Locale.ROOT).contains("denyafter")
                    && !NEVER_FAST.contains(trimmed.split("\\s+")[0].toUpperCase(Locale.ROOT))) {
                return false;
            }
        }
        return true;
    }

    /** The shape of leaves issued by {@code issuer} (see {@link Key}) with {@code leaf}'s algorithms, or null. */
    Shape find(byte[] issuer, LeafFields leaf) {
        for (Known known : shapes) {
            if (known.key().matches(issuer, leaf)) {
                return known.shape();
            }
        }
        return null;
    }

    int size() {
        return shapes.size();
    }

    /**
     * Remembers the shape of {@code presented}, which the JDK path has just accepted as {@code path} to {@code anchor},
     * when it is one {@link FastPath} may take: the client sent exactly the path, a leaf alone or a leaf and one
     * intermediate.
     */
    void learn(List<X509Certificate> presented, List<X509Certificate> path, X509Certificate anchor) {
        if (shapes.size() >= MAX_SHAPES || presented.size() != path.size() || presented.size() > 2) {
            return;
        }
        try {
            LeafFields leaf = LeafFields.parse(presented.get(0).getEncoded());
            if (leaf == null || leafDependent(anchor)) {
                return;
            }
            X509Certificate leafCert = path.get(0);
            X500Principal leafIssuer = leafCert.getIssuerX500Principal();
            Key key;
            Shape shape;
            if (path.size() == 2) {
                X509Certificate intermediate = path.get(1);
                byte[] intermediateDer = intermediate.getEncoded();
                // The chain builder looks at the anchors first: no anchor may answer to the intermediate's name.
                if (leafDependent(intermediate) || !Arrays.equals(intermediateDer,
                        presented.get(1).getEncoded()) || anchorsNamed(leafIssuer) != 0) {
                    return;
                }
                key = Key.of(intermediateDer, leaf);
                // The JDK's own object for it, parsed once: Netty's lazily parsed one would parse again on every read
                // of its validity, which the fast path and the verdict cache make on every new client.
                intermediate = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(intermediateDer));
                shape = new Shape(leaf.issuer, leafIssuer, DnFormat.rfc2253(leafIssuer), intermediate.getPublicKey(),
                        Certificates.subjectKeyId(intermediate), intermediate, intermediateDer, anchor);
            } else {
                // Under an anchor: the one the chain builder took must be the only one of that name.
                if (anchorsNamed(leafIssuer) != 1) {
                    return;
                }
                key = Key.of(leaf.issuer, leaf);
                shape = new Shape(leaf.issuer, leafIssuer, DnFormat.rfc2253(leafIssuer), anchor.getPublicKey(),
                        Certificates.subjectKeyId(anchor), null, null, anchor);
            }
            synchronized (shapes) {
                if (shapes.size() < MAX_SHAPES && find(key.issuer(), leaf) == null) {
                    shapes.add(new Known(key, shape));
                }
            }
        } catch (CertificateException | RuntimeException e) {
            // Not learned: the JDK path keeps judging such chains.
        }
    }

    private int anchorsNamed(X500Principal name) {
        int count = 0;
        for (X509Certificate anchor : anchors.certificates()) {
            count += anchor.getSubjectX500Principal().equals(name) ? 1 : 0;
        }
        return count;
    }

    private static boolean leafDependent(X509Certificate ca) {
        for (String oid : LEAF_DEPENDENT) {
            if (ca.getExtensionValue(oid) != null) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code at} is within the intermediate's validity as the JDK judges it (milliseconds, inclusive). */
    static boolean withinValidity(X509Certificate cert, Instant at) {
        long millis = at.toEpochMilli();
        return millis >= cert.getNotBefore().getTime() && millis <= cert.getNotAfter().getTime();
    }
}
