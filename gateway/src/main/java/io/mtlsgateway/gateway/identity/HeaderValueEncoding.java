package io.mtlsgateway.gateway.identity;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * Turns certificate values into text that is safe in an HTTP header value: printable ASCII only, so
 * a subject or SAN can never carry CR, LF or NUL (header injection), and never depends on the
 * charset the HTTP encoder uses for non-ASCII characters.
 *
 * <p>Two escape forms, chosen so that the escaped text still means the same thing to its reader:
 * distinguished names use RFC 4514 hex pairs ({@code \0D}, UTF-8 bytes for non-ASCII, as OpenSSL's
 * RFC 2253 printing and therefore Envoy do), which a DN parser decodes back to the original; SANs
 * use URI percent-encoding ({@code %0D}).
 */
final class HeaderValueEncoding {
    private static final char[] HEX_DIGITS = "0123456789ABCDEF".toCharArray();
    private static final DateTimeFormatter RFC_3339 = DateTimeFormatter.ISO_INSTANT;

    private HeaderValueEncoding() {}

    /**
     * An RFC 2253 name with control characters, DEL and non-ASCII characters written as
     * {@code \XX} hex pairs (UTF-8 bytes). The result is still a valid RFC 4514 string for the same name.
     */
    static String distinguishedName(String rfc2253) {
        return escape(rfc2253, '\\', false);
    }

    /**
     * A SAN or other free text with control characters, DEL, non-ASCII characters, and a space at
     * either end (which header parsers trim) percent-encoded as {@code %XX} (UTF-8 bytes). A
     * {@code %} already present is left alone: in a URI it is already an escape.
     */
    static String text(String value) {
        return escape(value, '%', true);
    }

    /** RFC 3339 in UTC with whole seconds, e.g. {@code 2025-01-31T12:00:00Z}. */
    static String rfc3339(Instant instant) {
        return RFC_3339.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /**
     * A PEM text URL-encoded as Envoy's XFCC {@code Cert} and nginx's {@code $ssl_client_escaped_cert}
     * are: everything except RFC 3986 unreserved characters becomes {@code %XX}; for PEM that is the
     * newline, space, {@code +}, {@code /} and {@code =}.
     */
    static String urlEncodedPem(String pem) {
        StringBuilder out = new StringBuilder(pem.length() + pem.length() / 8);
        for (int i = 0; i < pem.length(); i++) {
            char c = pem.charAt(i);
            if (isUnreserved(c)) {
                out.append(c);
            } else {
                i += appendUtf8Escaped(out, '%', pem, i) - 1;
            }
        }
        return out.toString();
    }

    /** The base64 body of a single-certificate PEM, i.e. base64 of the DER, on one line. */
    static String pemBody(String pem) {
        int start = pem.indexOf('\n') + 1;
        int end = pem.lastIndexOf("-----END");
        StringBuilder out = new StringBuilder(end - start);
        for (int i = start; i < end; i++) {
            char c = pem.charAt(i);
            if (c != '\n' && c != '\r') {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String escape(String value, char escapeChar, boolean escapeEdgeSpace) {
        int first = firstUnsafe(value, escapeEdgeSpace);
        if (first < 0) {
            // The usual case: nothing to do, no allocation.
            return value;
        }
        StringBuilder out = new StringBuilder(value.length() + 16);
        out.append(value, 0, first);
        for (int i = first; i < value.length(); i++) {
            char c = value.charAt(i);
            if (isUnsafe(value, i, escapeEdgeSpace)) {
                i += appendUtf8Escaped(out, escapeChar, value, i) - 1;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static int firstUnsafe(String value, boolean escapeEdgeSpace) {
        for (int i = 0; i < value.length(); i++) {
            if (isUnsafe(value, i, escapeEdgeSpace)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isUnsafe(String value, int i, boolean escapeEdgeSpace) {
        char c = value.charAt(i);
        if (c < 0x20 || c >= 0x7F) {
            return true;
        }
        return escapeEdgeSpace && c == ' ' && (i == 0 || i == value.length() - 1);
    }

    /** Escapes the code point at {@code i}; returns how many chars it took (2 for a surrogate pair). */
    private static int appendUtf8Escaped(StringBuilder out, char escapeChar, String value, int i) {
        int codePoint = value.codePointAt(i);
        // A lone surrogate has no UTF-8 form; getBytes writes '?' for it, which is safe and visible.
        byte[] bytes = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            out.append(escapeChar).append(HEX_DIGITS[(b >> 4) & 0xF]).append(HEX_DIGITS[b & 0xF]);
        }
        return Character.charCount(codePoint);
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }
}
