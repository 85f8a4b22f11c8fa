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
 */
public record ListenerConfig(
        String name,
        HostPort listen,
        TlsConfig tls,
        Map<String, IdentityTemplate> identityHeaders,
        XfccMode xfcc,
        boolean rfc9440,
        HttpSettings http) {

    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(tls, "tls");
        identityHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(identityHeaders));
        Objects.requireNonNull(xfcc, "xfcc");
        Objects.requireNonNull(http, "http");
    }

    /** A listener with the default HTTP limits. */
    public ListenerConfig(String name, HostPort listen, TlsConfig tls, Map<String, IdentityTemplate> identityHeaders,
            XfccMode xfcc, boolean rfc9440) {
        this(name, listen, tls, identityHeaders, xfcc, rfc9440, HttpSettings.defaults());
    }
}
