package io.mtlsgateway.gateway.verify;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;

/**
 * The subjectAltName texts {@link LeafFields} accepts: each a subset of what the JDK's parser accepts for that kind
 * (DNSName, RFC822Name, URIName), so that the fast path never takes a leaf whose names the JDK would read otherwise
 * or refuse. Anything outside these rules is left to the JDK path.
 */
final class SanText {
    /** Characters of an e-mail address's local part accepted here (RFC 5322's atext and the dot). */
    private static final String EMAIL_LOCAL = ".!#$%&'*+/=?^_`{|}~-";
    /** Characters of a URI path segment accepted here besides letters and digits (no '%', '?' or '#'). */
    private static final String URI_PATH = "-._~!$&'()*+,;=:@";

    private SanText() {}

    /** {@code local@domain}: one '@', a plain local part, a DNS-name domain. */
    static boolean email(String email) {
        int at = email.indexOf('@');
        return at > 0 && email.indexOf('@', at + 1) < 0 && emailLocalPart(email, at)
                && dnsName(email, at + 1, email.length());
    }

    /** A URI the JDK's URIName accepts: a plain one without parsing, else as {@link URI} reads it. */
    static boolean uri(String text) {
        return plainUri(text) || uriTheJdkAccepts(text);
    }

    /** The IA5String's text when every byte is printable ASCII (so any decoding gives the same string). */
    static String ia5(DerReader name) throws DerReader.Malformed {
        require(name.length() > 0);
        for (int i = 0; i < name.length(); i++) {
            byte c = name.byteAt(i);
            require(c >= 0x21 && c <= 0x7E);
        }
        return new String(name.content(), StandardCharsets.US_ASCII);
    }

    /** As the JDK's URIName: a URI with a scheme, and a host (when there is one) that is a DNS name. */
    private static boolean uriTheJdkAccepts(String text) {
        try {
            URI uri = new URI(text);
            String host = uri.getHost();
            return uri.getScheme() != null && (host == null || dnsName(host, 0, host.length()));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /**
     * A DNS name as the JDK's DNSName accepts it, narrowed: labels of 1 to 63 letters, digits and inner hyphens,
     * separated by single dots, none at either end.
     */
    static boolean dnsName(String text, int from, int to) {
        int labelStart = from;
        for (int i = from; i <= to; i++) {
            char c = i < to ? text.charAt(i) : '.';
            if (c == '.') {
                int length = i - labelStart;
                if (length < 1 || length > 63 || text.charAt(i - 1) == '-') {
                    return false;
                }
                labelStart = i + 1;
            } else if (!letterOrDigit(c) && !(c == '-' && i > labelStart)) {
                return false;
            }
        }
        return true;
    }

    private static boolean emailLocalPart(String email, int at) {
        for (int i = 0; i < at; i++) {
            char c = email.charAt(i);
            if (!letterOrDigit(c) && EMAIL_LOCAL.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code scheme://host/path} with a DNS-name host and a path of plain characters (no '%', query or fragment): a
     * URI the JDK's URIName accepts, without parsing it (any other URI is asked of {@link URI}, as the JDK does).
     */
    static boolean plainUri(String text) {
        int colon = text.indexOf("://");
        if (colon < 1 || !letter(text.charAt(0))) {
            return false;
        }
        for (int i = 1; i < colon; i++) {
            char c = text.charAt(i);
            if (!letterOrDigit(c) && c != '+' && c != '.' && c != '-') {
                return false;
            }
        }
        int hostStart = colon + 3;
        int slash = text.indexOf('/', hostStart);
        int hostEnd = slash < 0 ? text.length() : slash;
        if (!dnsName(text, hostStart, hostEnd)) {
            return false;
        }
        for (int i = hostEnd; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!letterOrDigit(c) && c != '/' && URI_PATH.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean letter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static boolean letterOrDigit(char c) {
        return letter(c) || c >= '0' && c <= '9';
    }

    private static void require(boolean condition) throws DerReader.Malformed {
        if (!condition) {
            throw DerReader.malformed();
        }
    }
}
