package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.identity.PeerIdentity;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * Who is on the other end of a connection whose handshake succeeded: what the HTTP stage is built for.
 *
 * @param identity the verified client, or null when it sent no certificate (clientAuth optional or none)
 * @param chain the chain the client was verified with, leaf first; empty without a certificate
 * @param clientAddress the client's IP address, for X-Forwarded-For and logs
 */
public record VerifiedPeer(PeerIdentity identity, List<X509Certificate> chain, String clientAddress) {
    public VerifiedPeer {
        chain = List.copyOf(chain);
        Objects.requireNonNull(clientAddress, "clientAddress");
    }
}
