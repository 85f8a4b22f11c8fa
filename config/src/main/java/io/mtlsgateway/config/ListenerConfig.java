package io.mtlsgateway.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One listener: TLS with client certificates, or (egress sidecar mode, {@code tls: none}) plain
 * HTTP from local applications.
 *
 * @param tls the TLS settings; null for a plain-HTTP listener ({@link #plaintext()})
 * @param identityHeaders header name to template, in file order; the client's copies are always stripped
 * @param rfc9440 whether to send Client-Cert / Client-Cert-Chain (RFC 9440)
 * @param http limits on client connections, and Via
 * @param limits per source address, per identity and for requests without one
 * @param allowPlaintext the file accepts plain HTTP on an address that is not loopback
 */
public record ListenerConfig(
        String name,
        HostPort listen,
        TlsConfig tls,
        Map<String, IdentityTemplate> identityHeaders,
        XfccMode xfcc,
        boolean rfc9440,
        HttpSettings http,
        LimitsConfig limits,
        boolean allowPlaintext) {

    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(listen, "listen");
        identityHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(identityHeaders));
        Objects.requireNonNull(xfcc, "xfcc");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(limits, "limits");
        if (tls == null) {
            if (!identityHeaders.isEmpty() || rfc9440) {
                throw new IllegalArgumentException("identityHeaders, rfc9440: a plain-HTTP listener has no client"
                        + " certificate to describe");
            }
            if (!allowPlaintext && !listen.isLoopback()) {
                throw new IllegalArgumentException("listen: " + listen + " (expected: a loopback address for"
                        + " tls: none, unless allowPlaintext: true)");
            }
        } else if (allowPlaintext) {
            throw new IllegalArgumentException("allowPlaintext: true (expected: only with tls: none)");
        }
    }

    /** A TLS listener. */
    public ListenerConfig(String name, HostPort listen, TlsConfig tls, Map<String, IdentityTemplate> identityHeaders,
            XfccMode xfcc, boolean rfc9440, HttpSettings http, LimitsConfig limits) {
        this(name, listen, Objects.requireNonNull(tls, "tls"), identityHeaders, xfcc, rfc9440, http, limits, false);
    }

    /** A TLS listener without limits. */
    public ListenerConfig(String name, HostPort listen, TlsConfig tls, Map<String, IdentityTemplate> identityHeaders,
            XfccMode xfcc, boolean rfc9440, HttpSettings http) {
        this(name, listen, tls, identityHeaders, xfcc, rfc9440, http, LimitsConfig.NONE);
    }

    /** Whether this listener takes plain HTTP ({@code tls: none}): no handshake, no client identity. */
    public boolean plaintext() {
        return tls == null;
    }

    /** A listener with the default HTTP limits and no request limits. */
    public ListenerConfig(String name, HostPort listen, TlsConfig tls, Map<String, IdentityTemplate> identityHeaders,
            XfccMode xfcc, boolean rfc9440) {
        this(name, listen, tls, identityHeaders, xfcc, rfc9440, HttpSettings.defaults());
    }
}
