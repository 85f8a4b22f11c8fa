package io.mtlsgateway.gateway.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * What the gateway knows about a verified client: the fields of its leaf certificate, in the forms
 * the identity headers and the authorization rules use. Computed once per connection (see
 * {@link PeerIdentityCache}); immutable and safe to share between threads.
 *
 * <p>Values are kept exactly as the certificate states them (RFC 2253 text, SAN strings as
 * encoded); making them safe for an HTTP header is the header writer's job, so that authorization
 * compares the real values.
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
 * @param chainPem every certificate the client sent, as PEM, leaf first (so {@code chainPem.get(0)}
 *        equals {@code leafPem}); this is what Envoy's XFCC {@code Chain} holds
 */
public record PeerIdentity(
        String subject,
        String issuer,
        String serial,
        String fingerprint,
        Optional<String> spiffe,
        List<String> sanDns,
        List<String> sanUri,
        List<String> sanEmail,
        Instant notBefore,
        Instant notAfter,
        String leafPem,
        List<String> chainPem) {

    // GeneralName tags (RFC 5280 §4.2.1.6) as X509Certificate#getSubjectAlternativeNames reports them.
    private static final int SAN_EMAIL = 1;
    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;

    private static final String SPIFFE_PREFIX = "spiffe://";
    private static final HexFormat HEX = HexFormat.of();
    private static final Base64.Encoder PEM_BASE64 =
            Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

    public PeerIdentity {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(spiffe, "spiffe");
        sanDns = List.copyOf(sanDns);
        sanUri = List.copyOf(sanUri);
        sanEmail = List.copyOf(sanEmail);
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(notAfter, "notAfter");
        Objects.requireNonNull(leafPem, "leafPem");
        chainPem = List.copyOf(chainPem);
        if (chainPem.isEmpty()) {
            throw new IllegalArgumentException("chainPem: empty (expected: at least the leaf)");
        }
    }

    /**
     * Reads the identity from a peer chain, leaf first, as {@code SSLSession#getPeerCertificates()}
     * returns it. The chain is assumed to be verified already; nothing here checks trust.
     *
     * <p>SPIFFE: the X.509-SVID specification says an SVID carries exactly one URI SAN. We are more
     * lenient about other URI SANs (they are ignored for {@code spiffe}) but not about ambiguity:
     * when the leaf has two or more {@code spiffe://} URI SANs, {@code spiffe} is absent, because
     * picking one would let the certificate's SAN order decide which workload the caller is.
     *
     * @throws IllegalArgumentException if the chain is empty or a certificate cannot be encoded or parsed
     */
    public static PeerIdentity of(List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("chain: empty (expected: leaf first)");
        }
        X509Certificate leaf = chain.get(0);
        byte[] leafDer = der(leaf);
        List<String> dns = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        List<String> emails = new ArrayList<>();
        for (List<?> san : subjectAltNames(leaf)) {
            // Each entry is [Integer tag, value]; the string types we read carry a String value.
            if (san.size() < 2 || !(san.get(0) instanceof Integer tag) || !(san.get(1) instanceof String value)) {
                continue;
            }
            switch (tag) {
                case SAN_DNS -> dns.add(value);
                case SAN_URI -> uris.add(value);
                case SAN_EMAIL -> emails.add(value);
                default -> { }
            }
        }
        List<String> pems = new ArrayList<>(chain.size());
        pems.add(pem(leafDer));
        for (int i = 1; i < chain.size(); i++) {
            pems.add(pem(der(chain.get(i))));
        }
        return new PeerIdentity(
                DnFormat.rfc2253(leaf.getSubjectX500Principal()),
                DnFormat.rfc2253(leaf.getIssuerX500Principal()),
                leaf.getSerialNumber().toString(16),
                HEX.formatHex(sha256(leafDer)),
                spiffeId(uris),
                dns,
                uris,
                emails,
                leaf.getNotBefore().toInstant(),
                leaf.getNotAfter().toInstant(),
                pems.get(0),
                pems);
    }

    private static Optional<String> spiffeId(List<String> uris) {
        String found = null;
        for (String uri : uris) {
            // URI schemes are case-insensitive (RFC 3986 §3.1); the ID itself is returned as written.
            if (uri.regionMatches(true, 0, SPIFFE_PREFIX, 0, SPIFFE_PREFIX.length())) {
                if (found != null) {
                    return Optional.empty();
                }
                found = uri;
            }
        }
        return Optional.ofNullable(found);
    }

    private static Collection<List<?>> subjectAltNames(X509Certificate cert) {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            return names == null ? List.of() : names;
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("cannot read subjectAltName of " + cert.getSubjectX500Principal(), e);
        }
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
