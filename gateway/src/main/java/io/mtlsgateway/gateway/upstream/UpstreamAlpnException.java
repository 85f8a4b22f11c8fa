package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.config.HostPort;

/** A {@code protocol: h2} upstream finished the TLS handshake without choosing {@code h2} in ALPN. */
public final class UpstreamAlpnException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param chosen what the upstream chose; null for nothing */
    public UpstreamAlpnException(String upstream, HostPort endpoint, String chosen) {
        super("upstream " + upstream + " " + endpoint + " chose " + (chosen == null ? "no protocol" : chosen)
                + " in ALPN, not h2", null, false, false);
    }
}
