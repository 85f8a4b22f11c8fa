package io.mtlsgateway.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One TLS listener.
 *
 * @param identityHeaders header name to template, in file order; the client's copies are always stripped
 * @param rfc9440 whether to send Client-Cert / Client-Cert-Chain (RFC 9440)
 * @param http limits on client connections, and Via
 * @param limits per source address, per identity and for requests without one
 */
public record ListenerConfig(
        String name,
        HostPort listen,
        TlsConfig tls,
        Map<String, IdentityTemplate> identityHeaders,
        XfccMode xfcc,
        boolean rfc9440,
        HttpSettings http,
        LimitsConfig limits) {

    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(tls, "tls");
        identityHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(identityHeaders));
        Objects.requireNonNull(xfcc, "xfcc");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(limits, "limits");
    }

    /** A listener without limits. */
    public ListenerConfig(String name, HostPort listen, TlsConfig tls, Map<String, IdentityTemplate> identityHeaders,
            XfccMode xfcc, boolean rfc9440, HttpSettings http) {
        this(name, listen, tls, identityHeaders, xfcc, rfc9440, http, LimitsConfig.NONE);
    }

    /** A listener with the default HTTP limits and no request limits. */
    public ListenerConfig(String name, HostPort listen, TlsConfig tls, Map<String, IdentityTemplate> identityHeaders,
            XfccMode xfcc, boolean rfc9440) {
        this(name, listen, tls, identityHeaders, xfcc, rfc9440, HttpSettings.defaults());
    }
}
