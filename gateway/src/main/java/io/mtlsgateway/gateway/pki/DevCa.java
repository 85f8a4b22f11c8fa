package io.mtlsgateway.gateway.pki;

import io.mtlsgateway.gateway.identity.DnFormat;
import io.mtlsgateway.gateway.tls.KeyPairCheck;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A development certificate authority kept in one folder: a self-signed root that issues client
 * and server certificates directly, records revocations and publishes a CRL. It is for
 * development and tests, never production: the root key sits unencrypted next to what it signs.
 *
 * <p>Folder layout ({@link DevCaFolder}): {@code ca.pem}, {@code ca.key} (owner-only), {@code ca.crl}
 * (PEM), {@code revoked.txt} and {@code crlnumber} (bookkeeping, {@link RevocationLedger}), and
 * {@code <name>.pem} / {@code <name>.key} per issued certificate. Every file is replaced
 * atomically, so a gateway watching the folder never reads half a file.
 *
 * <p>Bad input (names, SANs, days) is an {@link IllegalArgumentException}; a folder or file that
 * does not allow the operation is an {@link IOException}. Both messages say what to do.
 */
public final class DevCa {
    /** The root's subject. */
    public static final String ROOT_SUBJECT = "CN=mtls-gateway dev root CA";
    /** Leaf lifetime when the caller has no opinion: long enough for a dev cycle, short enough to practise rotation. */
    public static final int DEFAULT_DAYS = 90;
    /** How long a CRL stays current when the caller has no opinion. */
    public static final Duration DEFAULT_CRL_VALIDITY = Duration.ofDays(7);

    private static final Duration ROOT_VALIDITY = Duration.ofDays(3650);
    /** The CA/Browser Forum's old ceiling: anything longer is a typo in a dev setup. */
    private static final int MAX_LEAF_DAYS = 825;
    private final DevCaFolder folder;
    private final Path dir;
    private final IssuedCertificate root;
    private final RevocationLedger ledger;

    private DevCa(DevCaFolder folder, IssuedCertificate root, RevocationLedger ledger) {
        this.folder = folder;
        this.dir = folder.dir();
        this.root = root;
        this.ledger = ledger;
    }

    /**
     * Creates a dev CA in {@code dir} (created owner-only if absent): a 10-year root, an empty CRL
     * valid for {@link #DEFAULT_CRL_VALIDITY}, and the bookkeeping files.
     *
     * @param keyType the root's key; {@link KeyType#EC_P256} unless RSA is needed
     * @throws IOException if a CA already exists in {@code dir}, or the folder cannot be written
     */
    public static DevCa init(Path dir, KeyType keyType) throws IOException {
        requireStrongKey(keyType);
        DevCaFolder folder = DevCaFolder.create(dir);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        IssuedCertificate root = new CertificateBuilder()
                .subject(ROOT_SUBJECT)
                .keyType(keyType)
                // An hour of slack for clocks behind ours, as for every certificate we issue.
                .validity(now.minus(Duration.ofHours(1)), now.plus(ROOT_VALIDITY))
                // No path length limit: tests build intermediates under root() to exercise verifyDepth.
                .ca(-1)
                .selfSigned();
        // Key first: a folder with ca.pem but no ca.key would look usable and fail later.
        PemFiles.writePrivateKey(folder.caKey(), root.privateKey());
        PemFiles.write(folder.caCertificate(), root.certificate());
        DevCa ca = new DevCa(folder, root, RevocationLedger.create(folder.dir(), BigInteger.ZERO));
        ca.writeCrl(DEFAULT_CRL_VALIDITY);
        return ca;
    }

    /**
     * Loads the dev CA in {@code dir}.
     *
     * @throws IOException naming the missing or broken file, and how to create the CA if there is none
     */
    public static DevCa open(Path dir) throws IOException {
        DevCaFolder folder = DevCaFolder.of(dir);
        Path certFile = folder.caCertificate();
        Path keyFile = folder.caKey();
        for (Path required : List.of(certFile, keyFile)) {
            if (!Files.isRegularFile(required)) {
                throw new NoSuchFileException(required.toString(), null, "not found; " + folder.dir()
                        + " holds no dev CA (run `mtls-gateway pki init --dir " + dir + "` first)");
            }
        }
        RevocationLedger ledger = RevocationLedger.open(folder.dir());
        for (Path required : ledger.files()) {
            if (!Files.isRegularFile(required)) {
                throw new IOException(required + ": not found; the dev CA's bookkeeping is incomplete"
                        + " (restore the file, or create " + RevocationLedger.REVOKED_FILE + " empty and "
                        + RevocationLedger.CRL_NUMBER_FILE + " holding the last CRL number in hex)");
            }
        }
        X509Certificate cert = PemFiles.readCertificates(certFile).get(0);
        if (cert.getBasicConstraints() < 0) {
            throw new IOException(certFile + ": " + DnFormat.rfc2253(cert.getSubjectX500Principal())
                    + " is not a CA certificate");
        }
        PrivateKey key = PemFiles.readPrivateKey(keyFile);
        if (!KeyPairCheck.matches(key, cert)) {
            throw new IOException(keyFile + ": is not the private key of " + certFile);
        }
        return new DevCa(folder, new IssuedCertificate(cert, key, List.of()), ledger);
    }

    /**
     * Issues a client certificate: subject {@code CN=<name>}, EKU clientAuth, the SPIFFE ID as URI SAN.
     * Writes {@code <name>.key} (owner-only) and {@code <name>.pem}, replacing earlier ones.
     *
     * @param name 1 to 64 of {@code A-Z a-z 0-9 . _ -}, starting with a letter or digit; not {@code ca}
     * @param spiffeIds at most one (an X.509-SVID carries exactly one), e.g. {@code spiffe://example.org/ns/prod/sa/web}
     * @param dnsNames DNS SANs, may be empty
     * @return the certificate file
     */
    public Path issueClient(String name, List<String> spiffeIds, List<String> dnsNames, int days, KeyType keyType)
            throws IOException {
        NameChecks.certificateName(name);
        if (spiffeIds.size() > 1) {
            throw new IllegalArgumentException("SPIFFE IDs: " + spiffeIds.size() + " given (expected: at most one;"
                    + " an X.509-SVID carries exactly one URI SAN)");
        }
        spiffeIds.forEach(NameChecks::spiffeId);
        dnsNames.forEach(NameChecks::dnsName);
        CertificateBuilder builder = leaf(name, days, keyType)
                .forClient()
                .uri(spiffeIds.toArray(String[]::new))
                .dns(dnsNames.toArray(String[]::new));
        return folder.writeIssued(name, builder.signedBy(root));
    }

    /**
     * Issues a server certificate: subject {@code CN=<name>}, EKU serverAuth, DNS and IP SANs (at
     * least one, since clients match the host against SANs, not the CN). Writes {@code <name>.key}
     * (owner-only) and {@code <name>.pem}, replacing earlier ones.
     *
     * @return the certificate file
     */
    public Path issueServer(String name, List<String> dnsNames, List<String> ipAddresses, int days, KeyType keyType)
            throws IOException {
        NameChecks.certificateName(name);
        if (dnsNames.isEmpty() && ipAddresses.isEmpty()) {
            throw new IllegalArgumentException("server certificate " + name + ": no DNS name or IP address"
                    + " (expected: at least one; clients check the host they dialled against these)");
        }
        dnsNames.forEach(NameChecks::dnsName);
        ipAddresses.forEach(NameChecks::ipAddress);
        CertificateBuilder builder = leaf(name, days, keyType)
                .forServer()
                .dns(dnsNames.toArray(String[]::new))
                .ip(ipAddresses.toArray(String[]::new));
        return folder.writeIssued(name, builder.signedBy(root));
    }

    /**
     * Records the certificate in {@code certPem} (its first certificate) as revoked. Does not
     * rewrite the CRL: call {@link #writeCrl} to publish, so several revocations go out in one CRL.
     * Revoking a certificate twice keeps the first revocation time.
     *
     * @throws IOException if the file holds no certificate, or one this CA did not issue
     */
    public void revoke(Path certPem) throws IOException {
        X509Certificate cert = PemFiles.readCertificates(certPem).get(0);
        X509Certificate ca = root.certificate();
        if (cert.equals(ca)) {
            throw new IOException(certPem + ": is this dev CA's own root; a CA cannot revoke itself"
                    + " (to retire it, delete " + dir + " and run `mtls-gateway pki init` again)");
        }
        if (!issuedHere(cert)) {
            throw new IOException(certPem + ": " + DnFormat.rfc2253(cert.getSubjectX500Principal())
                    + " was not issued by this dev CA (its issuer: " + DnFormat.rfc2253(cert.getIssuerX500Principal())
                    + "; this CA: " + DnFormat.rfc2253(ca.getSubjectX500Principal()) + " in " + dir + ")");
        }
        folder.locked(() -> {
            ledger.revoke(cert.getSerialNumber(), Instant.now().truncatedTo(ChronoUnit.SECONDS),
                    cert.getSubjectX500Principal().getName());
            return null;
        });
    }

    /**
     * Re-issues {@code ca.crl}: every revoked serial, thisUpdate now, nextUpdate now plus
     * {@code validity}, the next CRL number. Re-run it before nextUpdate: a verifier may treat a
     * CRL past its nextUpdate as unusable (the JDK's PKIX validator does).
     *
     * @return the CRL file
     */
    public Path writeCrl(Duration validity) throws IOException {
        if (validity.isZero() || validity.isNegative()) {
            throw new IllegalArgumentException("CRL validity: " + validity + " (expected: > 0)");
        }
        return folder.locked(() -> {
            BigInteger number = ledger.lastCrlNumber().add(BigInteger.ONE);
            // Recorded before the CRL is written: a crash in between skips a number, never reuses one.
            ledger.recordCrlNumber(number);
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            Path file = crl();
            PemFiles.write(file, CrlIssuer.issue(root, ledger.revocations(), now, now.plus(validity), number));
            return file;
        });
    }

    /** The CA folder, absolute. */
    public Path dir() {
        return dir;
    }

    /** {@code ca.pem}: the trust anchor to give the gateway ({@code clientCa}) and clients. */
    public Path caCertificate() {
        return folder.caCertificate();
    }

    /** {@code ca.crl}: the CRL to give the gateway ({@code crl}). */
    public Path crl() {
        return folder.crl();
    }

    /** The root certificate and its private key, in memory. */
    public IssuedCertificate root() {
        return root;
    }

    /** Serials recorded as revoked, whether or not a CRL has been published since. */
    public Set<BigInteger> revokedSerials() throws IOException {
        return Set.copyOf(ledger.revocations().keySet());
    }

    private CertificateBuilder leaf(String name, int days, KeyType keyType) {
        requireStrongKey(keyType);
        NameChecks.days(days, MAX_LEAF_DAYS);
        Instant caExpiry = root.certificate().getNotAfter().toInstant();
        if (Instant.now().plus(Duration.ofDays(days)).isAfter(caExpiry)) {
            // A leaf outliving its root would stop verifying before its own expiry, silently.
            throw new IllegalArgumentException("days: " + days + " would outlive the dev CA, which expires "
                    + caExpiry + " (expected: at most " + Duration.between(Instant.now(), caExpiry).toDays() + ")");
        }
        // The name passed NameChecks, so it holds no DN syntax to escape.
        return new CertificateBuilder().subject("CN=" + name).keyType(keyType).validForDays(days);
    }

    private boolean issuedHere(X509Certificate cert) {
        X509Certificate ca = root.certificate();
        if (!cert.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            return false;
        }
        try {
            // A matching issuer name proves nothing; the signature does.
            cert.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static void requireStrongKey(KeyType keyType) {
        Objects.requireNonNull(keyType, "keyType");
        if (keyType == KeyType.RSA_1024) {
            throw new IllegalArgumentException("key type: " + keyType
                    + " (expected: EC_P256, EC_P384 or RSA_2048; the gateway rejects weaker keys)");
        }
    }
}
