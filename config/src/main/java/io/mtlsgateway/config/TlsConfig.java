package io.mtlsgateway.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * TLS settings of one listener. Paths are absolute (resolved against the route file's folder).
 *
 * @param clientCa trust anchors for client certificates; required unless {@code clientAuth} is none
 * @param verifyDepth the most intermediates allowed between the leaf and a trust anchor
 * @param sessionTickets whether this listener issues and accepts session tickets (and resumes at all)
 * @param sessionTicketKeys 48-byte ticket key files: the first encrypts, all decrypt; empty means a
 *     per-process random key, rotated; only with {@code sessionTickets}
 * @param requireEku whether a client leaf must carry an extended key usage (with clientAuth)
 */
public record TlsConfig(
        Path certificate,
        Path privateKey,
        ClientAuthMode clientAuth,
        Path clientCa,
        List<Path> crl,
        OcspMode ocsp,
        int verifyDepth,
        List<TlsProtocol> protocols,
        boolean sessionTickets,
        List<Path> sessionTicketKeys,
        boolean requireEku) {

    public static final int DEFAULT_VERIFY_DEPTH = 4;

    public TlsConfig {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(clientAuth, "clientAuth");
        if (clientAuth != ClientAuthMode.NONE) {
            Objects.requireNonNull(clientCa, "clientCa");
        }
        crl = List.copyOf(crl);
        Objects.requireNonNull(ocsp, "ocsp");
        if (verifyDepth < 0 || verifyDepth > 16) {
            throw new IllegalArgumentException("verifyDepth: " + verifyDepth + " (expected: 0..16)");
        }
        protocols = List.copyOf(protocols);
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("protocols: empty (expected: TLSv1.3 and/or TLSv1.2)");
        }
        sessionTicketKeys = List.copyOf(sessionTicketKeys);
        if (!sessionTickets && !sessionTicketKeys.isEmpty()) {
            throw new IllegalArgumentException(
                    "sessionTicketKeys: given with sessionTickets: false (expected: one of the two)");
        }
    }

    /** Accepting a client leaf without an extended key usage (RFC 5280 allows it). */
    public TlsConfig(Path certificate, Path privateKey, ClientAuthMode clientAuth, Path clientCa, List<Path> crl,
            OcspMode ocsp, int verifyDepth, List<TlsProtocol> protocols, boolean sessionTickets,
            List<Path> sessionTicketKeys) {
        this(certificate, privateKey, clientAuth, clientCa, crl, ocsp, verifyDepth, protocols, sessionTickets,
                sessionTicketKeys, false);
    }

    /** Without ticket key files: a per-process random key when tickets are on. */
    public TlsConfig(Path certificate, Path privateKey, ClientAuthMode clientAuth, Path clientCa, List<Path> crl,
            OcspMode ocsp, int verifyDepth, List<TlsProtocol> protocols, boolean sessionTickets) {
        this(certificate, privateKey, clientAuth, clientCa, crl, ocsp, verifyDepth, protocols, sessionTickets,
                List.of());
    }
}
