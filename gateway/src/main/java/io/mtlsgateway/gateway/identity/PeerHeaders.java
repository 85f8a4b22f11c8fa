package io.mtlsgateway.gateway.identity;

import java.util.List;

/**
 * The identity headers one writer sets for one client, rendered once for its connection (every
 * request on it carries the same certificate) by {@link IdentityHeaderWriter#forPeer(PeerIdentity)}.
 * Only templates with {@code ${jwt.CLAIM}} variables are still rendered per request, since their
 * values come from each request's token. Immutable.
 */
public final class PeerHeaders {
    /**
     * A templated header: its value when it is the same for every request (empty: not sent), or
     * the template when the request's token fills part of it.
     */
    record Templated(String name, String value, IdentityHeaderWriter.TemplatedHeader perRequest) {}

    private final PeerIdentity identity;
    private final List<Templated> templated;
    private final String xfccElement;
    private final boolean xfccTrimmed;
    private final String clientCert;
    private final String clientCertChain;

    /**
     * @param identity the client, or null without a certificate (then nothing else is used)
     * @param xfccElement the gateway's XFCC element, or null when the mode sets none
     * @param clientCert the RFC 9440 fields, or null when they are off
     */
    PeerHeaders(PeerIdentity identity, List<Templated> templated, String xfccElement, boolean xfccTrimmed,
            String clientCert, String clientCertChain) {
        this.identity = identity;
        this.templated = List.copyOf(templated);
        this.xfccElement = xfccElement;
        this.xfccTrimmed = xfccTrimmed;
        this.clientCert = clientCert;
        this.clientCertChain = clientCertChain;
    }

    /** The client these headers describe; null when it sent no certificate. */
    public PeerIdentity identity() {
        return identity;
    }

    List<Templated> templated() {
        return templated;
    }

    String xfccElement() {
        return xfccElement;
    }

    boolean xfccTrimmed() {
        return xfccTrimmed;
    }

    String clientCert() {
        return clientCert;
    }

    String clientCertChain() {
        return clientCertChain;
    }
}
