package io.mtlsgateway.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The name a server certificate must be for (RFC 9525's reference identifier): a DNS name, or an
 * IP address literal, which only ever matches an IP address subjectAltName. Parsed without any DNS
 * lookup.
 *
 * @param text the name as given, for messages
 * @param dns the DNS name in lower case without a trailing dot; null for an IP address
 * @param ip the address bytes (4 or 16); null for a DNS name
 */
public record ServerName(String text, String dns, byte[] ip) {
    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");

    /**
     * Reads a host name or IP literal ({@code [::1]} and {@code ::1} both work).
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static ServerName parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty server name (expected: a DNS name or an IP address)");
        }
        String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (bare.indexOf(':') >= 0) {
            return new ServerName(text, null, ipv6(text, bare));
        }
        if (IPV4.matcher(bare).matches()) {
            return new ServerName(text, null, literal(text, bare));
        }
        if (DIGITS_AND_DOTS.matcher(bare).matches()) {
            throw new IllegalArgumentException("'" + text + "' is neither a valid IPv4 address nor a DNS name");
        }
        return new ServerName(text, dnsName(text, bare), null);
    }

    /** Whether this is an IP address rather than a DNS name. */
    public boolean isIp() {
        return ip != null;
    }

    private static byte[] ipv6(String text, String bare) {
        byte[] bytes = literal(text, "[" + bare + "]");
        if (bytes.length == 4) {
            // The JDK turns ::ffff:a.b.c.d into an IPv4 address; keep the 16 bytes that were written.
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(bytes, 0, mapped, 12, 4);
            return mapped;
        }
        return bytes;
    }

    private static byte[] literal(String text, String literal) {
        try {
            // A literal (IPv4 checked by the pattern, IPv6 in brackets) is parsed, never looked up.
            InetAddress address = InetAddress.getByName(literal);
            byte[] bytes = address.getAddress();
            return address instanceof Inet4Address ? Arrays.copyOf(bytes, 4) : bytes;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not a valid IP address");
        }
    }

    private static String dnsName(String text, String bare) {
        for (int i = 0; i < bare.length(); i++) {
            if (bare.charAt(i) > 0x7e) {
                throw new IllegalArgumentException("'" + text + "' is not ASCII (expected: the A-label form of an"
                        + " internationalised name, xn--...)");
            }
        }
        String name = bare.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.isEmpty() || name.length() > 253) {
            throw new IllegalArgumentException("'" + text + "' is not a valid DNS name (expected: 1 to 253 characters)");
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("'" + text + "' is not a valid DNS name (label '" + label
                        + "': expected letters, digits and '-', 1 to 63 characters, not starting or ending with '-')");
            }
        }
        return name;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ServerName that && text.equals(that.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
