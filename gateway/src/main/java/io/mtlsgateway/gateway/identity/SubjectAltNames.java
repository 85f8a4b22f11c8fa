package io.mtlsgateway.gateway.identity;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The subjectAltName entries of a leaf that identity uses, each kind in certificate order as
 * encoded, and the SPIFFE ID among its URIs.
 */
record SubjectAltNames(List<String> dns, List<String> uris, List<String> emails) {
    // GeneralName tags (RFC 5280 §4.2.1.6) as X509Certificate#getSubjectAlternativeNames reports them.
    private static final int SAN_EMAIL = 1;
    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;

    private static final String SPIFFE_PREFIX = "spiffe://";

    SubjectAltNames {
        dns = List.copyOf(dns);
        uris = List.copyOf(uris);
        emails = List.copyOf(emails);
    }

    /** @throws IllegalArgumentException if the extension cannot be parsed */
    static SubjectAltNames of(X509Certificate leaf) {
        List<String> dns = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        List<String> emails = new ArrayList<>();
        for (List<?> san : entries(leaf)) {
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
        return new SubjectAltNames(dns, uris, emails);
    }

    /**
     * The only {@code spiffe://} URI; empty without one or with several. The X.509-SVID
     * specification says an SVID carries exactly one URI SAN. Other URIs are ignored here, but
     * not ambiguity: picking one of two SPIFFE IDs would let the certificate's SAN order decide
     * which workload the caller is.
     */
    Optional<String> spiffeId() {
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

    private static Collection<List<?>> entries(X509Certificate cert) {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            return names == null ? List.of() : names;
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("cannot read subjectAltName of " + cert.getSubjectX500Principal(), e);
        }
    }
}
