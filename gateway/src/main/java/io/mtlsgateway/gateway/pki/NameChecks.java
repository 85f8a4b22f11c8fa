package io.mtlsgateway.gateway.pki;

import java.util.Locale;
import java.util.regex.Pattern;
import org.bouncycastle.util.IPAddress;

/**
 * Checks the names an operator gives the dev CA before any of them reaches a distinguished name,
 * a SAN or a file name. Failures are {@link IllegalArgumentException}s whose message names the
 * value and says what was expected.
 */
final class NameChecks {
    /**
     * Certificate names become both {@code CN=<name>} and {@code <name>.pem}: one conservative
     * alphabet keeps the DN free of RDN syntax ({@code , = + ; "} and newlines) and the file name
     * inside the CA directory (no {@code /}, no {@code ..}, no hidden files).
     */
    private static final Pattern CERTIFICATE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    /** SPIFFE ID spec, section 2.1 and 2.2: trust domain and path segment alphabets. */
    private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]+");
    private static final Pattern PATH_SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");
    private static final int MAX_SPIFFE_ID_LENGTH = 2048;
    private static final int MAX_DNS_NAME_LENGTH = 253;

    private NameChecks() {}

    /** A name usable as a common name and a file name stem; {@code ca} is taken by the CA itself. */
    static String certificateName(String name) {
        if (name == null || !CERTIFICATE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: '" + printable(name) + "' (expected: 1 to 64 of A-Z a-z 0-9 . _ -,"
                    + " starting with a letter or digit)");
        }
        if (name.toLowerCase(Locale.ROOT).equals("ca")) {
            // Case-insensitive: on macOS "CA.pem" is the same file as ca.pem.
            throw new IllegalArgumentException("name: '" + name + "' is reserved for the CA's own files");
        }
        return name;
    }

    /** A SPIFFE ID as the SPIFFE ID spec defines it, e.g. {@code spiffe://example.org/ns/prod/sa/web}. */
    static String spiffeId(String id) {
        String problem = spiffeProblem(id);
        if (problem != null) {
            throw new IllegalArgumentException("SPIFFE ID '" + printable(id) + "': " + problem
                    + " (expected: spiffe://trust-domain/path, e.g. spiffe://example.org/ns/prod/sa/web)");
        }
        return id;
    }

    private static String spiffeProblem(String id) {
        if (id == null || !id.startsWith("spiffe://")) {
            return "must start with spiffe://";
        }
        if (id.length() > MAX_SPIFFE_ID_LENGTH) {
            return "longer than " + MAX_SPIFFE_ID_LENGTH + " characters";
        }
        String rest = id.substring("spiffe://".length());
        int slash = rest.indexOf('/');
        String trustDomain = slash < 0 ? rest : rest.substring(0, slash);
        if (!TRUST_DOMAIN.matcher(trustDomain).matches()) {
            return "trust domain '" + trustDomain + "' may hold only a-z 0-9 . _ - (no port, user or upper case)";
        }
        if (slash < 0) {
            // An SVID names a workload; a bare trust domain names no one.
            return "has no path";
        }
        for (String segment : rest.substring(slash + 1).split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "path has an empty, '.' or '..' segment";
            }
            if (!PATH_SEGMENT.matcher(segment).matches()) {
                return "path segment '" + segment + "' may hold only A-Z a-z 0-9 . _ -";
            }
        }
        return null;
    }

    /** A DNS name, optionally with one leading wildcard label ({@code *.internal.example}). */
    static String dnsName(String name) {
        String host = name != null && name.startsWith("*.") ? name.substring(2) : name;
        boolean valid = host != null && !host.isEmpty() && name.length() <= MAX_DNS_NAME_LENGTH;
        if (valid) {
            for (String label : host.split("\\.", -1)) {
                valid &= DNS_LABEL.matcher(label).matches();
            }
        }
        if (!valid) {
            throw new IllegalArgumentException("DNS name '" + printable(name)
                    + "' (expected: labels of A-Z a-z 0-9 -, separated by dots, e.g. api.example.com or *.internal.example)");
        }
        return name;
    }

    /** An IPv4 or IPv6 literal; never resolved, so a host name here is an error, not a DNS lookup. */
    static String ipAddress(String address) {
        if (address == null || !IPAddress.isValid(address)) {
            throw new IllegalArgumentException("IP address '" + printable(address)
                    + "' (expected: an IPv4 or IPv6 literal, e.g. 127.0.0.1 or ::1)");
        }
        return address;
    }

    /** Certificate lifetime in days, bounded so a typo does not mint a century-long credential. */
    static int days(int days, int maximum) {
        if (days < 1 || days > maximum) {
            throw new IllegalArgumentException("days: " + days + " (expected: 1 to " + maximum + ")");
        }
        return days;
    }

    /** Control characters made visible, so an error message cannot forge extra output lines. */
    private static String printable(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        value.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
