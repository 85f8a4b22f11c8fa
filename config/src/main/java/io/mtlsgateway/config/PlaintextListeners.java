package io.mtlsgateway.config;

import java.util.Map;

/**
 * The rules of an egress listener ({@code tls: none}): plain HTTP only where nobody else can
 * reach it unless the file says otherwise, and nothing that describes a client certificate,
 * because there is none. Client copies of identity headers are still stripped at run time.
 */
final class PlaintextListeners {
    private PlaintextListeners() {}

    /** False after reporting every rule the listener breaks. */
    static boolean check(YamlMapping listener, boolean plaintext, HostPort listen, boolean allowPlaintext,
            Map<String, IdentityTemplate> identityHeaders, XfccMode xfcc, boolean rfc9440) {
        boolean ok = true;
        if (!plaintext) {
            if (allowPlaintext) {
                listener.get("allowPlaintext").orElseThrow().problem("true on a TLS listener (expected: only"
                        + " with tls: none, to accept plain HTTP on an address that is not loopback)");
                ok = false;
            }
            return ok;
        }
        if (!allowPlaintext && !listen.isLoopback()) {
            listener.get("listen").orElseThrow().problem("plain HTTP (tls: none) on " + listen + ", which is not"
                    + " a loopback address: anyone who reaches it calls the upstreams without a certificate"
                    + " (expected: 127.0.0.1 or [::1]; or write allowPlaintext: true to mean it)");
            ok = false;
        }
        if (!identityHeaders.isEmpty()) {
            listener.get("identityHeaders").orElseThrow().problem("not allowed with tls: none (a plain-HTTP client"
                    + " has no certificate to describe; its copies of identity headers are still stripped)");
            ok = false;
        }
        if (rfc9440) {
            listener.get("rfc9440").orElseThrow().problem("true with tls: none (expected: false; a plain-HTTP"
                    + " client has no certificate)");
            ok = false;
        }
        if (xfcc == XfccMode.APPEND_FORWARD || xfcc == XfccMode.FORWARD_ONLY) {
            listener.get("xfcc").orElseThrow().problem(xfcc.yamlName() + " with tls: none (expected: sanitize or"
                    + " sanitize-set; a plain-HTTP caller's X-Forwarded-Client-Cert cannot be trusted)");
            ok = false;
        }
        return ok;
    }
}
