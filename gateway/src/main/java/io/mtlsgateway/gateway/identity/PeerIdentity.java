package io.mtlsgateway.gateway.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the gateway knows about a verified client: the fields of its leaf certificate, in the forms
 * the identity headers and the authorization rules use. Computed once per accepted chain (with
 * the verifier's verdict, {@code Verdict.Accepted}); immutable and safe to share between threads.
 *
 * <p>Values are kept exactly as the certificate states them (RFC 2253 text, SAN strings as
 * encoded); making them safe for an HTTP header is the header writer's job, so that authorization
 * compares the real values.
 *
 * <p>The fingerprint and the PEM texts are made from the certificates' DER on first use, once per identity (so
 * once per client while its verdict is cached): not in the verification of a new client, but when a header, an
 * access rule or a limit first asks, and not at all where nothing does (PEM is only for the {@code cert}
 * variable, XFCC Cert/Chain and RFC 9440). Every reader sees the same values as if they had been made up front.
 */
public final class PeerIdentity {
    private static final HexFormat HEX = HexFormat.of();
    private static final Base64.Encoder PEM_BASE64 =
            Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

    private final String subject;
    private final String issuer;
    private final String serial;
    private final Optional<String> spiffe;
    private final List<String> sanDns;
    private final List<String> sanUri;
    private final List<String> sanEmail;
    private final Instant notBefore;
    private final Instant notAfter;
    /** The DER of the path, leaf first, for the values made on first use (null when they were given). */
    private final List<byte[]> der;
    // Made on first use; racy but safe: every thread that makes one makes the same immutable value.
    private volatile String fingerprint;
    private volatile String leafPem;
    private volatile List<String> chainPem;

    /**
     * An identity from values already rendered (tests, and callers that have them).
     *
     * @param subject the leaf's subject as OpenSSL prints it with {@code -nameopt RFC2253} (see
     *        {@link DnFormat}), e.g. {@code CN=payments,O=Bank}
     * @param issuer the leaf's issuer, same form
     * @param serial the serial number in lowercase hex without leading zeros, e.g. {@code 1a2b}
     * @param fingerprint SHA-256 of the leaf's DER, 64 lowercase hex digits without colons
     * @param spiffe the SPIFFE ID: the URI SAN with scheme {@code spiffe}, present only when the leaf has
     *        exactly one such SAN (see {@link #of(List)})
     * @param sanDns the DNS-name SANs, in certificate order
     * @param sanUri the URI SANs (including any SPIFFE ID), in certificate order
     * @param sanEmail the rfc822Name (e-mail) SANs, in certificate order
     * @param notBefore start of the leaf's validity
     * @param notAfter end of the leaf's validity
     * @param leafPem the leaf as PEM, {@code \n} line endings, 64-character lines, ending with a newline
     * @param chainPem the validated path (without the trust anchor), as PEM, leaf first (so {@code chainPem.get(0)}
     *        equals {@code leafPem}); this is what Envoy's XFCC {@code Chain} holds
     */
    public PeerIdentity(String subject, String issuer, String serial, String fingerprint, Optional<String> spiffe,
            List<String> sanDns, List<String> sanUri, List<String> sanEmail, Instant notBefore, Instant notAfter,
            String leafPem, List<String> chainPem) {
        this(subject, issuer, serial, spiffe, sanDns, sanUri, sanEmail, notBefore, notAfter, null);
        this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
        this.leafPem = Objects.requireNonNull(leafPem, "leafPem");
        List<String> pems = List.copyOf(chainPem);
        if (pems.isEmpty()) {
            throw new IllegalArgumentException("chainPem: empty (expected: at least the leaf)");
        }
        this.chainPem = pems;
    }

    private PeerIdentity(String subject, String issuer, String serial, Optional<String> spiffe, List<String> sanDns,
            List<String> sanUri, List<String> sanEmail, Instant notBefore, Instant notAfter, List<byte[]> der) {
        this.subject = Objects.requireNonNull(subject, "subject");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.serial = Objects.requireNonNull(serial, "serial");
        this.spiffe = Objects.requireNonNull(spiffe, "spiffe");
        this.sanDns = List.copyOf(sanDns);
        this.sanUri = List.copyOf(sanUri);
        this.sanEmail = List.copyOf(sanEmail);
        this.notBefore = Objects.requireNonNull(notBefore, "notBefore");
        this.notAfter = Objects.requireNonNull(notAfter, "notAfter");
        this.der = der;
    }

    /**
     * Reads the identity from a peer chain, leaf first, as {@code SSLSession#getPeerCertificates()}
     * returns it. The chain is assumed to be verified already; nothing here checks trust.
     *
     * <p>SPIFFE: when the leaf has two or more {@code spiffe://} URI SANs, {@code spiffe} is absent
     * (see {@link SubjectAltNames#spiffeId()}).
     *
     * @throws IllegalArgumentException if the chain is empty or a certificate cannot be encoded or parsed
     */
    public static PeerIdentity of(List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("chain: empty (expected: leaf first)");
        }
        X509Certificate leaf = chain.get(0);
        SubjectAltNames sans = SubjectAltNames.of(leaf);
        // Encoded now, so a certificate that cannot be encoded fails here, as before, not at first use.
        List<byte[]> der = new ArrayList<>(chain.size());
        for (X509Certificate cert : chain) {
            der.add(der(cert));
        }
        return new PeerIdentity(
                DnFormat.rfc2253(leaf.getSubjectX500Principal()),
                DnFormat.rfc2253(leaf.getIssuerX500Principal()),
                leaf.getSerialNumber().toString(16),
                sans.spiffeId(),
                sans.dns(),
                sans.uris(),
                sans.emails(),
                leaf.getNotBefore().toInstant(),
                leaf.getNotAfter().toInstant(),
                List.copyOf(der));
    }

    /**
     * An identity from fields a verifier has already read from the leaf's DER (its own parse, instead of the JDK's),
     * with the same values {@link #of(List)} would give for that chain.
     *
     * @param subject the leaf's subject as {@link DnFormat#rfc2253} prints it
     * @param issuer the leaf's issuer, same form
     * @param serial the serial number as {@code BigInteger.toString(16)} writes it
     * @param der the DER of the path, leaf first
     */
    public static PeerIdentity of(String subject, String issuer, String serial, List<String> sanDns,
            List<String> sanUri, List<String> sanEmail, Instant notBefore, Instant notAfter, List<byte[]> der) {
        if (der.isEmpty()) {
            throw new IllegalArgumentException("der: empty (expected: leaf first)");
        }
        SubjectAltNames sans = new SubjectAltNames(sanDns, sanUri, sanEmail);
        return new PeerIdentity(subject, issuer, serial, sans.spiffeId(), sans.dns(), sans.uris(),
                sans.emails(), notBefore, notAfter, List.copyOf(der));
    }

    /** The leaf's subject as OpenSSL prints it with {@code -nameopt RFC2253} (see {@link DnFormat}). */
    public String subject() {
        return subject;
    }

    /** The leaf's issuer, same form as {@link #subject()}. */
    public String issuer() {
        return issuer;
    }

    /** The serial number in lowercase hex without leading zeros, e.g. {@code 1a2b}. */
    public String serial() {
        return serial;
    }

    /** SHA-256 of the leaf's DER, 64 lowercase hex digits without colons. */
    public String fingerprint() {
        String value = fingerprint;
        if (value == null) {
            value = HEX.formatHex(sha256(der.get(0)));
            fingerprint = value;
        }
        return value;
    }

    /** The SPIFFE ID: the only {@code spiffe://} URI SAN; empty without one or with several (see {@link #of}). */
    public Optional<String> spiffe() {
        return spiffe;
    }

    /** The DNS-name SANs, in certificate order. */
    public List<String> sanDns() {
        return sanDns;
    }

    /** The URI SANs (including any SPIFFE ID), in certificate order. */
    public List<String> sanUri() {
        return sanUri;
    }

    /** The rfc822Name (e-mail) SANs, in certificate order. */
    public List<String> sanEmail() {
        return sanEmail;
    }

    /** Start of the leaf's validity. */
    public Instant notBefore() {
        return notBefore;
    }

    /** End of the leaf's validity. */
    public Instant notAfter() {
        return notAfter;
    }

    /** The leaf as PEM, {@code \n} line endings, 64-character lines, ending with a newline. */
    public String leafPem() {
        String value = leafPem;
        if (value == null) {
            value = chainPem().get(0);
            leafPem = value;
        }
        return value;
    }

    /**
     * The validated path (without the trust anchor), as PEM, leaf first (so {@code chainPem().get(0)} equals
     * {@link #leafPem()}); this is what Envoy's XFCC {@code Chain} holds.
     */
    public List<String> chainPem() {
        List<String> value = chainPem;
        if (value == null) {
            List<String> pems = new ArrayList<>();
            for (byte[] cert : der) {
                pems.add(pem(cert));
            }
            value = List.copyOf(pems);
            chainPem = value;
        }
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PeerIdentity that && subject.equals(that.subject) && issuer.equals(that.issuer)
                && serial.equals(that.serial) && fingerprint().equals(that.fingerprint())
                && spiffe.equals(that.spiffe) && sanDns.equals(that.sanDns) && sanUri.equals(that.sanUri)
                && sanEmail.equals(that.sanEmail) && notBefore.equals(that.notBefore)
                && notAfter.equals(that.notAfter) && leafPem().equals(that.leafPem()) && chainPem().equals(that.chainPem());
    }

    @Override
    public int hashCode() {
        return fingerprint().hashCode();
    }

    /** Names the client, never its certificate's bytes. */
    @Override
    public String toString() {
        return "PeerIdentity[subject=" + subject + ", issuer=" + issuer + ", serial=" + serial + ", spiffe="
                + spiffe.orElse("-") + "]";
    }

    static byte[] der(X509Certificate cert) {
        try {
            return cert.getEncoded();
        } catch (CertificateEncodingException | RuntimeException e) {
            // Netty's LazyX509Certificate reports bad DER as an unchecked exception.
            throw new IllegalArgumentException("cannot encode certificate", e);
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private static String pem(byte[] der) {
        // Built here rather than with a PEM writer so the line ending is always \n: the `cert`
        // variable and XFCC Cert must not depend on the platform's line separator.
        return "-----BEGIN CERTIFICATE-----\n" + PEM_BASE64.encodeToString(der) + "\n-----END CERTIFICATE-----\n";
    }
}
