package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.gateway.tls.BouncyCastle;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;

/**
 * Revoked serials by issuer, built once from the configured CRL files so a handshake pays a hash
 * lookup (tens of nanoseconds), not a scan of the CRL: a 100,000-entry CRL costs the same as a
 * 10-entry one. Immutable; a CRL change builds a new index.
 *
 * <p>At load every CRL is parsed (PEM or DER, several per file), delta and indirect CRLs are
 * refused, and the signature is verified against its issuer when that issuer is a clientCa anchor
 * or a known intermediate. A CRL of an intermediate the gateway only meets in handshakes is
 * verified against that intermediate's key on first use (the intermediate has passed path
 * validation by then). Expiry is judged at lookup time, against the validation time, so that
 * {@code verify --at} can ask about any moment and an expired CRL fails loudly instead of
 * silently passing.
 */
public final class CrlIndex {
    private static final Logger LOG = Logger.getLogger(CrlIndex.class.getName());
    private static final String DELTA_CRL_INDICATOR = Extension.deltaCRLIndicator.getId();
    private static final String ISSUING_DISTRIBUTION_POINT = Extension.issuingDistributionPoint.getId();
    private static final CrlIndex EMPTY = new CrlIndex(Map.of());

    /** One CRL, reduced to what a lookup needs. */
    private static final class IssuerCrl {
        final X509CRL crl;
        final Set<BigInteger> revoked;
        final Instant thisUpdate;
        final Instant nextUpdate;
        final String source;
        /** Keys the signature was checked against: true verified, false did not. */
        final Map<PublicKey, Boolean> signatureChecks = new ConcurrentHashMap<>();

        IssuerCrl(X509CRL crl, String source) {
            this.crl = crl;
            this.source = source;
            Set<? extends X509CRLEntry> entries = crl.getRevokedCertificates();
            Set<BigInteger> serials = new HashSet<>(entries == null ? 16 : entries.size() * 4 / 3 + 1);
            if (entries != null) {
                for (X509CRLEntry entry : entries) {
                    serials.add(entry.getSerialNumber());
                }
            }
            this.revoked = Set.copyOf(serials);
            this.thisUpdate = crl.getThisUpdate().toInstant();
            this.nextUpdate = crl.getNextUpdate() == null ? null : crl.getNextUpdate().toInstant();
        }

        /** The key that last verified, compared by identity first: hashing a key costs more than the look-up. */
        volatile PublicKey lastVerified;

        boolean signedBy(X509Certificate issuer) {
            PublicKey issuerKey = issuer.getPublicKey();
            if (issuerKey == lastVerified) {
                return true;
            }
            boolean verified = signatureChecks.computeIfAbsent(issuerKey, key -> {
                boolean[] usage = issuer.getKeyUsage();
                if (usage != null && (usage.length < 7 || !usage[6])) {
                    return false; // RFC 5280: a CRL issuer with a key usage must have cRLSign
                }
                try {
                    crl.verify(key, BouncyCastle.provider());
                    return true;
                } catch (GeneralSecurityException | RuntimeException e) {
                    return false;
                }
            });
            if (verified) {
                lastVerified = issuerKey;
            }
            return verified;
        }
    }

    private final Map<X500Principal, List<IssuerCrl>> byIssuer;

    private CrlIndex(Map<X500Principal, List<IssuerCrl>> byIssuer) {
        this.byIssuer = byIssuer;
    }

    /** No CRLs: nothing is ever revoked by CRL. */
    public static CrlIndex empty() {
        return EMPTY;
    }

    /**
     * Loads CRL files.
     *
     * @param knownIssuers the clientCa anchors and any known intermediates, to verify signatures now
     * @throws IOException naming the file: unreadable, not a CRL, delta or indirect, a critical
     *     extension we do not know, or a signature that does not verify with its known issuer
     */
    public static CrlIndex load(List<Path> files, Collection<X509Certificate> knownIssuers) throws IOException {
        Map<X500Principal, List<IssuerCrl>> index = new HashMap<>();
        for (Path file : files) {
            for (X509CRL crl : PemFiles.readCrls(file)) {
                add(index, crl, file.toString(), knownIssuers);
            }
        }
        return new CrlIndex(freeze(index));
    }

    /** An index of CRLs held in memory (tests, benchmarks); {@code source} names them in messages. */
    public static CrlIndex of(List<X509CRL> crls, Collection<X509Certificate> knownIssuers, String source)
            throws IOException {
        Map<X500Principal, List<IssuerCrl>> index = new HashMap<>();
        for (X509CRL crl : crls) {
            add(index, crl, source, knownIssuers);
        }
        return new CrlIndex(freeze(index));
    }

    private static void add(Map<X500Principal, List<IssuerCrl>> index, X509CRL crl, String source,
            Collection<X509Certificate> knownIssuers) throws IOException {
        String issuerName = Certificates.name(crl.getIssuerX500Principal());
        String where = source + ": CRL of " + issuerName;
        // The JDK counts deltaCRLIndicator as a supported critical extension, so ask for it explicitly.
        if (crl.getExtensionValue(DELTA_CRL_INDICATOR) != null) {
            throw new IOException(where + " is a delta CRL, which is not supported; configure the full CRL");
        }
        byte[] idp = crl.getExtensionValue(ISSUING_DISTRIBUTION_POINT);
        if (idp != null) {
            IssuingDistributionPoint point =
                    IssuingDistributionPoint.getInstance(ASN1OctetString.getInstance(idp).getOctets());
            // Only a complete CRL is understood: the index keeps the newest CRL per issuer, so a
            // partitioned one (a shard of a distribution point, user- or CA-only) would hide
            // serials revoked in an older shard.
            if (point.isIndirectCRL() || point.getOnlySomeReasons() != null || point.getDistributionPoint() != null
                    || point.onlyContainsUserCerts() || point.onlyContainsCACerts()
                    || point.onlyContainsAttributeCerts()) {
                throw new IOException(where + " is an indirect or partitioned CRL (issuingDistributionPoint limits"
                        + " its scope), which is not supported; configure a complete CRL signed by the issuing CA"
                        + " itself");
            }
        }
        if (crl.hasUnsupportedCriticalExtension()) {
            throw new IOException(where + " has critical extensions this gateway does not understand: "
                    + OidNames.names(crl.getCriticalExtensionOIDs()));
        }
        IssuerCrl entry = new IssuerCrl(crl, source);
        List<X509Certificate> sameName = knownIssuers.stream()
                .filter(ca -> ca.getSubjectX500Principal().equals(crl.getIssuerX500Principal())).toList();
        if (!sameName.isEmpty() && sameName.stream().noneMatch(entry::signedBy)) {
            throw new IOException(where + ": its signature does not verify with the key of the CA certificate of"
                    + " that name (or that CA lacks the cRLSign key usage); the file is corrupt or from another CA");
        }
        if (sameName.isEmpty()) {
            LOG.info(() -> where + ": issuer not among the known CA certificates; its signature will be checked"
                    + " against the issuing intermediate on first use");
        }
        if (entry.nextUpdate != null && entry.nextUpdate.isBefore(Instant.now())) {
            LOG.warning(() -> where + " expired at " + entry.nextUpdate
                    + " (nextUpdate): certificates of that issuer are rejected until a fresh CRL is installed");
        }
        index.computeIfAbsent(crl.getIssuerX500Principal(), k -> new ArrayList<>()).add(entry);
    }

    private static Map<X500Principal, List<IssuerCrl>> freeze(Map<X500Principal, List<IssuerCrl>> index) {
        Map<X500Principal, List<IssuerCrl>> frozen = new HashMap<>();
        index.forEach((issuer, crls) -> frozen.put(issuer, List.copyOf(crls)));
        return Map.copyOf(frozen);
    }

    /** Whether any CRL is configured. */
    public boolean isEmpty() {
        return byIssuer.isEmpty();
    }

    /**
     * Checks one certificate of a validated path against the CRL of its issuer.
     *
     * @param issuer the certificate that issued {@code cert} (next in the path, or the anchor)
     * @return null when the issuer has no CRL or the certificate is not listed; otherwise why not
     */
    public Verdict.Rejected check(X509Certificate cert, X509Certificate issuer, Instant at) {
        List<IssuerCrl> candidates = byIssuer.get(cert.getIssuerX500Principal());
        if (candidates == null) {
            return null;
        }
        IssuerCrl newest = null;
        for (IssuerCrl candidate : candidates) {
            if (candidate.signedBy(issuer) && (newest == null || candidate.thisUpdate.isAfter(newest.thisUpdate))) {
                newest = candidate;
            }
        }
        String issuerName = Certificates.name(cert.getIssuerX500Principal());
        if (newest == null) {
            return new Verdict.Rejected(RejectionReason.REVOCATION_UNKNOWN, "the CRL for issuer " + issuerName
                    + " (" + candidates.get(0).source + ") is not signed by that issuer's key, so "
                    + Certificates.describe(cert) + " cannot be checked");
        }
        if (newest.nextUpdate != null && at.isAfter(newest.nextUpdate)) {
            return new Verdict.Rejected(RejectionReason.CRL_EXPIRED, "the CRL for issuer " + issuerName + " in "
                    + newest.source + " expired at " + newest.nextUpdate + " (nextUpdate; validation time " + at
                    + "), so no certificate of that issuer is accepted until a fresh CRL is installed");
        }
        if (at.isBefore(newest.thisUpdate)) {
            return new Verdict.Rejected(RejectionReason.REVOCATION_UNKNOWN, "the CRL for issuer " + issuerName
                    + " in " + newest.source + " is not valid before " + newest.thisUpdate
                    + " (validation time " + at + "); check this host's clock");
        }
        if (newest.revoked.contains(cert.getSerialNumber())) {
            return new Verdict.Rejected(RejectionReason.REVOKED, Certificates.describe(cert)
                    + " is revoked: listed in the CRL of " + issuerName + " (" + newest.source + ", published "
                    + newest.thisUpdate + ")");
        }
        return null;
    }

    /** The raw lookup: whether {@code serial} is listed by any CRL of {@code issuer}, ignoring time and signature. */
    public boolean isListed(X500Principal issuer, BigInteger serial) {
        List<IssuerCrl> candidates = byIssuer.get(issuer);
        if (candidates == null) {
            return false;
        }
        for (IssuerCrl candidate : candidates) {
            if (candidate.revoked.contains(serial)) {
                return true;
            }
        }
        return false;
    }
}
