package io.mtlsgateway.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS from the gateway to one upstream: whom to trust, the gateway's own client certificate for
 * mutual TLS, and which identity the upstream must prove. Paths are absolute. The upstream's
 * certificate is always verified; there is no setting that turns that off.
 *
 * @param ca trust anchors for the upstream's certificate
 * @param certificate the gateway's client certificate chain (PEM, leaf first), for upstreams that
 *     require one; present exactly when {@code privateKey} is
 * @param serverName sent as SNI and checked against the certificate; empty means each endpoint's host
 * @param verify identity pins ({@code spiffe}, {@code sanDns}); when present the certificate must
 *     match one of them instead of the server name
 * @param crl CRL files for the upstream's chain
 */
public record UpstreamTlsConfig(
        Path ca,
        Optional<Path> certificate,
        Optional<Path> privateKey,
        Optional<ServerName> serverName,
        List<AllowRule> verify,
        List<Path> crl,
        List<TlsProtocol> protocols) {

    public UpstreamTlsConfig {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
        if (certificate.isPresent() != privateKey.isPresent()) {
            throw new IllegalArgumentException("certificate and privateKey: one without the other"
                    + " (expected: both, for mutual TLS, or neither)");
        }
        Objects.requireNonNull(serverName, "serverName");
        verify = List.copyOf(verify);
        for (AllowRule pin : verify) {
            if (pin.kind() != AllowRule.Kind.SPIFFE && pin.kind() != AllowRule.Kind.SAN_DNS) {
                throw new IllegalArgumentException("verify: " + pin.kind().yamlName()
                        + " (expected: spiffe or sanDns)");
            }
        }
        crl = List.copyOf(crl);
        protocols = List.copyOf(protocols);
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("protocols: empty (expected: TLSv1.3 and/or TLSv1.2)");
        }
    }

    /** Whether the gateway presents a client certificate (mutual TLS). */
    public boolean mutual() {
        return certificate.isPresent();
    }
}
