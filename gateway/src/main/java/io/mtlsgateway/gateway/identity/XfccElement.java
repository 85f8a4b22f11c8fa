package io.mtlsgateway.gateway.identity;

import java.util.Optional;

/**
 * Formats one X-Forwarded-Client-Cert element the way Envoy does: {@code key=value} pairs joined by
 * {@code ;}, keys in Envoy's order {@code By, Hash, Subject, URI, DNS}:
 *
 * <pre>By=spiffe://gw.example/edge;Hash=9f86...;Subject="CN=app,O=Bank";URI=spiffe://td/app;DNS=app.example</pre>
 *
 * <ul>
 *   <li>{@code By}: the URI SAN of the gateway's own certificate; left out when it has none.
 *   <li>{@code Hash}: SHA-256 of the client leaf DER, lowercase hex.
 *   <li>{@code Subject}: always present and always quoted, even when empty (as Envoy).
 *   <li>{@code URI}: one pair per URI SAN, in certificate order, as current Envoy versions emit (older
 *       ones sent only the first); a bare {@code URI=} when there is none, as Envoy does.
 *   <li>{@code DNS}: one pair per DNS SAN; none when there is none.
 * </ul>
 *
 * <p>Quoting follows the XFCC rules Envoy documents: a value containing {@code , ; =}, a double quote
 * or a space is double-quoted, and inside quotes {@code "} and {@code \} are escaped with a backslash
 * (so the unquoted text of {@code Subject} is exactly the RFC 2253 subject, whose own escapes
 * survive). Envoy itself never quotes URI or DNS values; SPIFFE IDs and DNS names never need it, so
 * output is the same in practice. Every value is first made header-safe ({@link HeaderValueEncoding}).
 * {@code Cert} and {@code Chain} are not emitted.
 */
final class XfccElement {
    private XfccElement() {}

    /** The element describing this client, as received by the gateway whose URI SAN is {@code by}. */
    static String of(PeerIdentity identity, Optional<String> by) {
        StringBuilder out = new StringBuilder(160);
        by.ifPresent(uri -> out.append("By=").append(value(HeaderValueEncoding.text(uri))).append(';'));
        out.append("Hash=").append(identity.fingerprint());
        out.append(";Subject=").append(quoted(HeaderValueEncoding.distinguishedName(identity.subject())));
        if (identity.sanUri().isEmpty()) {
            out.append(";URI=");
        }
        for (String uri : identity.sanUri()) {
            out.append(";URI=").append(value(HeaderValueEncoding.text(uri)));
        }
        for (String dns : identity.sanDns()) {
            out.append(";DNS=").append(value(HeaderValueEncoding.text(dns)));
        }
        return out.toString();
    }

    /** The value, quoted only if it holds an XFCC delimiter, a quote or a space. */
    static String value(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' || c == ';' || c == '=' || c == '"' || c == '\\' || c == ' ') {
                return quoted(value);
            }
        }
        return value;
    }

    /** The value in double quotes, with {@code "} and {@code \} backslash-escaped. */
    static String quoted(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('"').toString();
    }
}
