package io.mtlsgateway.gateway.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A certificate with its private key and the chain above it.
 *
 * @param issuers the issuing certificates, nearest first, ending with the root (empty when self-signed)
 */
public record IssuedCertificate(X509Certificate certificate, PrivateKey privateKey, List<X509Certificate> issuers) {
    public IssuedCertificate {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
        issuers = List.copyOf(issuers);
    }

    /** This certificate followed by its issuers except the self-signed root: what a peer sends. */
    public List<X509Certificate> chainWithoutRoot() {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(certificate);
        if (!issuers.isEmpty()) {
            chain.addAll(issuers.subList(0, issuers.size() - 1));
        }
        return chain;
    }

    /** The self-signed certificate at the top of the chain (this one, if self-signed). */
    public X509Certificate root() {
        return issuers.isEmpty() ? certificate : issuers.get(issuers.size() - 1);
    }
}
