package io.mtlsgateway.gateway.identity;

import io.mtlsgateway.config.HeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removes from a client's request every copy, in any spelling, of the headers only the gateway may
 * set: the listener's identity headers, the claims about the client or the URL
 * ({@link HeaderNames#clientClaims()}), the token claim headers, and X-Forwarded-Client-Cert as
 * the xfcc mode says. Built once per listener; immutable and safe to share between event loops.
 *
 * <p>Names match case-insensitively and with {@code _} treated as {@code -} ({@link #normalise}),
 * because CGI-style upstreams (PHP, WSGI, Rack) turn {@code X_Client_Subject} and
 * {@code X-Client-Subject} into the same variable: a spoofed underscore copy would otherwise sit
 * next to, or override, ours. Only ASCII letters fold; a name with other characters never equals a
 * configured one.
 */
final class ForgedHeaderStripper {
    static final String XFCC_NORMALISED = normalise(HeaderNames.X_FORWARDED_CLIENT_CERT);

    /** Headers the client may never send, whatever the configuration; XFCC per the xfcc mode. */
    private static final Set<String> ALWAYS_STRIPPED = alwaysStripped();

    /** Normalised names stripped from request headers (XFCC included only in the sanitizing modes). */
    private final Set<String> fromHeaders;
    /**
     * Normalised names stripped from trailers: all of the above, XFCC in every mode, and the fields
     * a request's meaning depends on before its body ({@link HeaderNames#NEVER_IN_TRAILERS}).
     */
    private final Set<String> fromTrailers;
    /** Lengths of every name in either set: most request headers are ruled out without allocating. */
    private final BitSet candidateLengths = new BitSet();
    /** The xfcc mode forwards the client's XFCC: only its {@code _} spellings go. */
    private final boolean keepsClientXfcc;

    /**
     * @param names the listener's identity headers and the token claim headers, any spelling
     * @param keepsClientXfcc the xfcc mode forwards the XFCC of a trusted proxy in front
     */
    ForgedHeaderStripper(Set<String> names, boolean keepsClientXfcc) {
        this.keepsClientXfcc = keepsClientXfcc;
        Set<String> headers = new HashSet<>(ALWAYS_STRIPPED);
        for (String name : names) {
            headers.add(normalise(name));
        }
        Set<String> trailers = new HashSet<>(headers);
        trailers.add(XFCC_NORMALISED);
        trailers.addAll(HeaderNames.NEVER_IN_TRAILERS);
        if (!keepsClientXfcc) {
            headers.add(XFCC_NORMALISED);
        }
        this.fromHeaders = Set.copyOf(headers);
        this.fromTrailers = Set.copyOf(trailers);
        for (String name : trailers) {
            candidateLengths.set(name.length());
        }
    }

    /** From request headers; a kept client XFCC loses only its {@code _} spellings. */
    void strip(HttpHeaders headers) {
        strip(headers, fromHeaders, keepsClientXfcc);
    }

    /** From request trailers: XFCC in every mode (no proxy sends it as a trailer). */
    void stripTrailers(HttpHeaders trailers) {
        strip(trailers, fromTrailers, false);
    }

    private void strip(HttpHeaders headers, Set<String> stripped, boolean onlyUnderscoreXfcc) {
        if (headers.isEmpty()) {
            return;
        }
        List<String> doomed = null;
        Iterator<Map.Entry<CharSequence, CharSequence>> entries = headers.iteratorCharSequence();
        while (entries.hasNext()) {
            CharSequence name = entries.next().getKey();
            if (!candidateLengths.get(name.length())) {
                continue;
            }
            String normal = normalise(name);
            boolean strip = stripped.contains(normal)
                    || (onlyUnderscoreXfcc && normal.equals(XFCC_NORMALISED) && contains(name, '_'));
            if (strip) {
                if (doomed == null) {
                    doomed = new ArrayList<>(2);
                }
                doomed.add(name.toString());
            }
        }
        if (doomed != null) {
            // Removal by name drops every copy of that spelling, whatever its case.
            for (String name : doomed) {
                headers.remove(name);
            }
        }
    }

    private static Set<String> alwaysStripped() {
        Set<String> names = new HashSet<>(HeaderNames.clientClaims());
        names.remove(HeaderNames.X_FORWARDED_CLIENT_CERT);
        return Set.copyOf(names);
    }

    /** ASCII lowercase with {@code _} as {@code -}: how CGI-style upstreams see a header name. */
    static String normalise(CharSequence name) {
        char[] out = new char[name.length()];
        for (int i = 0; i < out.length; i++) {
            char c = name.charAt(i);
            out[i] = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c == '_' ? '-' : c;
        }
        return new String(out);
    }

    private static boolean contains(CharSequence s, char c) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                return true;
            }
        }
        return false;
    }
}
