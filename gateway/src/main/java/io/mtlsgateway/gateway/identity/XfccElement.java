package io.mtlsgateway.gateway.identity;

import java.util.ArrayList;
import java.util.List;
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
 * The element is kept within {@link #MAX_LENGTH} characters by shortening the larger of the URI
 * and DNS fields first.
 * {@code Cert} and {@code Chain} are not emitted.
 */
final class XfccElement {
    private XfccElement() {}

    /**
     * Most characters the gateway's element may take. A certificate can carry thousands of SANs
     * (4,000 DNS names make an 89 KB element), more than upstreams accept in a header line
     * (nginx: 8 KB by default, Node.js: 16 KB for the whole head), so beyond this the larger of
     * the URI and DNS fields is shortened from its end, pair by pair, until the element fits; By,
     * Hash and Subject always stay.
     */
    static final int MAX_LENGTH = 4096;

    /**
     * An element and how many URI/DNS pairs were dropped to keep it within {@link #MAX_LENGTH}.
     *
     * @param text the element
     * @param dropped pairs left out, 0 when the element is complete
     */
    record Element(String text, int dropped) {}

    /** The element describing this client, as received by the gateway whose URI SAN is {@code by}. */
    static String of(PeerIdentity identity, Optional<String> by) {
        return within(identity, by, MAX_LENGTH).text();
    }

    /** The element, its URI and DNS fields shortened (larger first) until it is at most {@code budget} long. */
    static Element within(PeerIdentity identity, Optional<String> by, int budget) {
        StringBuilder out = new StringBuilder(160);
        by.ifPresent(uri -> out.append("By=").append(value(HeaderValueEncoding.text(uri))).append(';'));
        out.append("Hash=").append(identity.fingerprint());
        out.append(";Subject=").append(quoted(HeaderValueEncoding.distinguishedName(identity.subject())));
        if (identity.sanUri().isEmpty()) {
            out.append(";URI=");
        }
        List<String> uris = pairs("URI", identity.sanUri());
        List<String> dns = pairs("DNS", identity.sanDns());
        int uriLength = length(uris);
        int dnsLength = length(dns);
        int keptUris = uris.size();
        int keptDns = dns.size();
        // Over budget: shorten the larger of the two fields from its end, pair by pair, so a
        // certificate's thousands of DNS names give way before its one SPIFFE ID does.
        while (out.length() + uriLength + dnsLength > budget && keptUris + keptDns > 0) {
            if (dnsLength >= uriLength && keptDns > 0) {
                dnsLength -= dns.get(--keptDns).length();
            } else {
                uriLength -= uris.get(--keptUris).length();
            }
        }
        uris.subList(0, keptUris).forEach(out::append);
        dns.subList(0, keptDns).forEach(out::append);
        int droppedCount = uris.size() - keptUris + dns.size() - keptDns;
        return new Element(out.toString(), droppedCount);
    }

    private static List<String> pairs(String key, List<String> values) {
        List<String> pairs = new ArrayList<>(values.size());
        for (String value : values) {
            pairs.add(';' + key + '=' + value(HeaderValueEncoding.text(value)));
        }
        return pairs;
    }

    private static int length(List<String> pairs) {
        int length = 0;
        for (String pair : pairs) {
            length += pair.length();
        }
        return length;
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
