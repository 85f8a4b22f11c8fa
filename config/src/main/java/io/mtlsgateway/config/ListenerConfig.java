package io.mtlsgateway.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
 * @param alpn the HTTP versions offered in ALPN, in order of preference (TLS listeners)
 * @param http2 limits on HTTP/2 client connections
 * @param hosts virtual hosts chosen by SNI; with them, {@code tls} is the TLS of the default entry
 *     (the first entry when there is no default), for what is listener-wide (protocols, tickets)
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
        boolean allowPlaintext,
        List<ApplicationProtocol> alpn,
        Http2Limits http2,
        ListenerHosts hosts) {
    /** What a listener offers when its file says nothing: h2 first, then HTTP/1.1. */
    public static final List<ApplicationProtocol> DEFAULT_ALPN = List.of(ApplicationProtocol.H2,
            ApplicationProtocol.HTTP_1_1);

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
        alpn = List.copyOf(alpn);
        if (alpn.isEmpty() || alpn.size() != Set.copyOf(alpn).size()) {
            throw new IllegalArgumentException("alpn: " + alpn + " (expected: h2 and/or http/1.1, each once)");
        }
        Objects.requireNonNull(http2, "http2");
        Objects.requireNonNull(hosts, "hosts");
    }

    /** A listener without hosts. */
    public ListenerConfig(String name, HostPort listen, TlsConfig tls, Map<String, IdentityTemplate> identityHeaders,
            XfccMode xfcc, boolean rfc9440, HttpSettings http, LimitsConfig limits, boolean allowPlaintext,
            List<ApplicationProtocol> alpn, Http2Limits http2) {
        this(name, listen, tls, identityHeaders, xfcc, rfc9440, http, limits, allowPlaintext, alpn, http2,
                ListenerHosts.NONE);
    }

    /** A listener with virtual hosts, no request limits, and the default ALPN and HTTP/2 limits. */
    public ListenerConfig(String name, HostPort listen, TlsConfig tls, Map<String, IdentityTemplate> identityHeaders,
            XfccMode xfcc, boolean rfc9440, HttpSettings http, ListenerHosts hosts) {
        this(name, listen, Objects.requireNonNull(tls, "tls"), identityHeaders, xfcc, rfc9440, http, LimitsConfig.NONE,
                false, DEFAULT_ALPN, Http2Limits.defaults(), hosts);
    }

    /** The TLS policies of this listener: each host entry's, or the one {@code tls} (none for plain HTTP). */
    public List<TlsConfig> tlsPolicies() {
        if (hosts.present()) {
            return hosts.entries().stream().map(HostConfig::tls).toList();
        }
        return tls == null ? List.of() : List.of(tls);
    }

    /** A listener offering h2 and HTTP/1.1 (when it has TLS) with the default HTTP/2 limits. */
    public ListenerConfig(String name, HostPort listen, TlsConfig tls, Map<String, IdentityTemplate> identityHeaders,
            XfccMode xfcc, boolean rfc9440, HttpSettings http, LimitsConfig limits, boolean allowPlaintext) {
        this(name, listen, tls, identityHeaders, xfcc, rfc9440, http, limits, allowPlaintext, DEFAULT_ALPN,
                Http2Limits.defaults());
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
