package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.gateway.tls.ListenerMaterial;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Decides whether a client certificate chain gets in, and if not, says exactly why. Plain Java:
 * the proxy (through {@link VerifierTrustManager}) and {@code mtls-gateway verify} run this same
 * class. Built with {@link Purpose#SERVER} it judges an upstream's chain the same way (serverAuth
 * instead of clientAuth); {@link ServerVerifier} adds the name check.
 *
 * <p>Order: structure and depth; building the path to a clientCa anchor from what the client sent;
 * JDK PKIX validation with native (AWS-LC) or BouncyCastle signatures; policy (key strength, SHA-1, EKU, key usage, a
 * CA is not a client); revocation: the CRL index for every certificate of the path, then OCSP for
 * the leaf. The first three steps and the policy are cached per chain (never revocation).
 *
 * <p>Thread-safe. An instance holds fixed trust: new anchors or CRLs mean a new instance, which
 * also starts with an empty cache.
 */
public final class ClientVerifier {
    /** Verdicts kept for repeat clients; about 2 KB each. */
    public static final int DEFAULT_CACHE_SIZE = 10_000;
    /** OCSP answers kept (one per client certificate), independent of the verdict cache. */
    private static final int OCSP_CACHE_SIZE = 10_000;
    /** How long a handshake waits for an OCSP responder. */
    public static final Duration DEFAULT_OCSP_TIMEOUT = Duration.ofSeconds(2);

    private final TrustAnchors anchors;
    private final ChainBuilder chains;
    private final PkixValidation pkix;
    private final FastPath fastPath;
    private final VerdictCache cache;
    private final CrlIndex crls;
    private final OcspChecker ocsp;
    private final int verifyDepth;
    private final Clock clock;
    private final Purpose purpose;
    private final boolean requireEku;

    ClientVerifier(ClientVerifierBuilder builder, TrustAnchors anchors) {
        this.anchors = anchors;
        this.verifyDepth = builder.verifyDepth;
        this.purpose = builder.purpose;
        this.requireEku = builder.requireEku;
        this.chains = new ChainBuilder(anchors, builder.intermediates, builder.verifyDepth, purpose);
        this.pkix = new PkixValidation(anchors, purpose);
        this.fastPath = new FastPath(anchors, purpose, requireEku, !builder.intermediates.isEmpty());
        this.cache = new VerdictCache(builder.cacheSize);
        this.crls = builder.crls;
        this.clock = builder.clock;
        OcspFetcher fetcher = builder.ocspFetcher != null ? builder.ocspFetcher
                : new HttpOcspFetcher(builder.ocspTimeout);
        this.ocsp = new OcspChecker(builder.ocspMode, builder.ocspTimeout, builder.ocspFailureTtl, fetcher,
                builder.clock, OCSP_CACHE_SIZE);
    }

    /** A builder trusting these CA certificates (the clientCa bundle). */
    public static ClientVerifierBuilder builder(List<X509Certificate> trustAnchors) {
        return new ClientVerifierBuilder(trustAnchors);
    }

    /**
     * The verifier a listener runs (its clientCa, crl files, ocsp mode and verifyDepth), from the CA certificates and CRLs its material already holds:
     * the files are read once per start or reload, and the checks and the verifier see the same bytes.
     *
     * @param clock the source of validation time (tests pin it)
     * @throws IOException naming the file of a CA certificate or CRL the verifier cannot use
     */
    public static ClientVerifier forListener(TlsConfig tls, ListenerMaterial material, Clock clock)
            throws IOException {
        return forListener(tls, material, clock, DEFAULT_CACHE_SIZE);
    }

    /** As {@link #forListener(TlsConfig, ListenerMaterial, Clock)}, with a verdict cache of this size (benchmarks). */
    public static ClientVerifier forListener(TlsConfig tls, ListenerMaterial material, Clock clock, int cacheSize)
            throws IOException {
        Path caFile = Objects.requireNonNull(tls.clientCa(), "clientCa");
        try {
            ClientVerifierBuilder builder = builder(material.clientCas()).ocsp(tls.ocsp()).verifyDepth(tls.verifyDepth())
                    .clock(clock).cacheSize(cacheSize).requireEku(tls.requireEku());
            builder.crls(material.crlFiles().isEmpty() ? CrlIndex.empty()
                    : CrlIndex.of(material.crlFiles(), material.clientCas()));
            return builder.build();
        } catch (GeneralSecurityException e) {
            // TrustAnchors words its own messages ("not a CA certificate: ...").
            throw new IOException(caFile + ": " + e.getMessage(), e);
        }
    }

    /** The trust anchors, to advertise in the CertificateRequest. */
    public List<X509Certificate> anchors() {
        return anchors.certificates();
    }

    /**
     * Full verification of what the client sent, leaf first; may wait for an OCSP responder, so
     * never call it on an event loop.
     */
    public Verdict verify(List<X509Certificate> presented) {
        return verify(presented, true);
    }

    /**
     * Full verification.
     *
     * @param mayFetch false when the caller must not block (an event loop): OCSP then uses cached
     *     answers only
     */
    public Verdict verify(List<X509Certificate> presented, boolean mayFetch) {
        Instant now = clock.instant();
        Verdict.Rejected structure = structure(presented);
        if (structure != null) {
            return structure;
        }
        ByteBuffer key;
        try {
            key = VerdictCache.key(presented);
        } catch (CertificateEncodingException | RuntimeException e) {
            return malformed(e);
        }
        VerdictCache.Entry entry = cache.get(key, now);
        if (entry == null) {
            Verdict validated;
            try {
                validated = validate(presented, now);
            } catch (RuntimeException e) {
                // Netty's lazily parsed certificates throw unchecked exceptions on bad DER.
                return malformed(e);
            }
            if (validated instanceof Verdict.Rejected rejected) {
                return rejected;
            }
            entry = VerdictCache.Entry.of((Verdict.Accepted) validated);
            cache.put(key, entry);
        }
        Verdict.Accepted accepted = entry.accepted();
        Verdict.Rejected revoked = revocation(accepted.path(), accepted.anchor(), now, mayFetch);
        return revoked != null ? revoked : accepted;
    }

    /**
     * What a resumed session needs re-checked, cheaply enough for the event loop: the path still
     * reaches an anchor of this verifier, every certificate is still within its validity, and
     * nothing is revoked by the CRL index or by a cached OCSP answer. No signature is verified
     * (the full handshake did) and no network is used.
     *
     * <p>A chain this verifier accepted before (its verdict cache holds it, within the validity of
     * every certificate of its path) is answered with that verdict, whose identity is the one it
     * was verified with: no parsing, no path building, no identity rebuilt, only the hash of the
     * chain and the revocation look-ups. Otherwise (evicted, or a verifier built by a reload since)
     * the path is built again from the chain, without signatures.
     */
    public Verdict recheck(List<X509Certificate> presented) {
        Instant now = clock.instant();
        Verdict.Rejected structure = structure(presented);
        if (structure != null) {
            return structure;
        }
        try {
            VerdictCache.Entry entry = cache.get(VerdictCache.key(presented), now);
            if (entry != null) {
                Verdict.Accepted accepted = entry.accepted();
                Verdict.Rejected revoked = revocation(accepted.path(), accepted.anchor(), now, false);
                return revoked != null ? revoked : accepted;
            }
            return rebuild(presented, now);
        } catch (CertificateEncodingException | RuntimeException e) {
            return malformed(e);
        }
    }

    /** {@link #recheck} without a cached verdict: the path again, its validity, revocation. */
    private Verdict rebuild(List<X509Certificate> presented, Instant now) {
        ChainBuilder.Result built = chains.build(presented);
        if (built.rejection() != null) {
            return built.rejection();
        }
        List<X509Certificate> path = built.built().path();
        for (X509Certificate cert : path) {
            if (now.isAfter(cert.getNotAfter().toInstant())) {
                return new Verdict.Rejected(HandshakeReason.EXPIRED, Certificates.describe(cert)
                        + " expired at " + cert.getNotAfter().toInstant() + " (resumed session)");
            }
            if (now.isBefore(cert.getNotBefore().toInstant())) {
                return new Verdict.Rejected(HandshakeReason.NOT_YET_VALID, Certificates.describe(cert)
                        + " is not valid before " + cert.getNotBefore().toInstant() + " (resumed session)");
            }
        }
        // This verifier's policy, as its full handshake applies it (no signatures: cheap): the session
        // may come from a verifier with another one (a reload that set requireEku, shared ticket keys).
        Verdict.Rejected policy = ClientCertificatePolicy.check(path, purpose, requireEku);
        if (policy != null) {
            return policy;
        }
        Verdict.Rejected revoked = revocation(path, built.built().anchor(), now, false);
        return revoked != null ? revoked : new Verdict.Accepted(path, built.built().anchor());
    }

    private Verdict.Rejected structure(List<X509Certificate> presented) {
        if (presented.isEmpty()) {
            return new Verdict.Rejected(HandshakeReason.NO_CERTIFICATE, "the " + purpose.peer() + " sent no certificate");
        }
        // Cheap bound before any parsing: a leaf, verifyDepth intermediates and perhaps the root.
        if (presented.size() > verifyDepth + 2) {
            return new Verdict.Rejected(HandshakeReason.DEPTH, "the " + purpose.peer() + " sent " + presented.size()
                    + " certificates; at most " + (verifyDepth + 2) + " fit verifyDepth " + verifyDepth);
        }
        return null;
    }

    private Verdict validate(List<X509Certificate> presented, Instant now) {
        Verdict.Accepted fast = fastPath.validate(presented, now);
        if (fast != null) {
            return fast;
        }
        Verdict verdict = validateByJdk(presented, now);
        if (verdict instanceof Verdict.Accepted accepted) {
            fastPath.learn(presented, accepted);
        }
        return verdict;
    }

    /** Steps 2-4 by the chain builder, the JDK's PKIX and the policy: every rejection comes from here. */
    Verdict validateByJdk(List<X509Certificate> presented, Instant now) {
        ChainBuilder.Result built = chains.build(presented);
        if (built.rejection() != null) {
            return built.rejection();
        }
        List<X509Certificate> path = built.built().path();
        PkixValidation.Result validated = pkix.validate(path, now);
        if (validated.rejection() != null) {
            return validated.rejection();
        }
        Verdict.Rejected policy = ClientCertificatePolicy.check(path, purpose, requireEku);
        return policy != null ? policy : new Verdict.Accepted(path, validated.anchor());
    }

    private Verdict.Rejected revocation(List<X509Certificate> path, X509Certificate anchor, Instant now,
            boolean mayFetch) {
        for (int i = 0; i < path.size(); i++) {
            X509Certificate issuer = i + 1 < path.size() ? path.get(i + 1) : anchor;
            Verdict.Rejected revoked = crls.check(path.get(i), issuer, now);
            if (revoked != null) {
                return revoked;
            }
        }
        return ocsp.check(path.get(0), path.size() > 1 ? path.get(1) : anchor, now, mayFetch);
    }

    private static Verdict.Rejected malformed(Exception e) {
        // The parser's own text names its classes and offsets, which help nobody fix a certificate.
        return new Verdict.Rejected(HandshakeReason.MALFORMED, "a certificate of the chain cannot be parsed"
                + " (not valid DER X.509)");
    }

    /** What this verifier judges chains for. */
    public Purpose purpose() {
        return purpose;
    }

    /** The fast path, for tests that hold it against the JDK path. */
    FastPath fastPath() {
        return fastPath;
    }

    /** Number of cached chain verdicts (for tests and metrics). */
    int cachedChains() {
        return cache.size();
    }
}
