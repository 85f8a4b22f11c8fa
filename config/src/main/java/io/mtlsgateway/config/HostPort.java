package io.mtlsgateway.config;

import java.util.Objects;
import java.util.regex.Pattern;

/** A host (name, IPv4 or IPv6 literal without brackets) and a TCP port. */
public record HostPort(String host, int port) {
    private static final String EXPECTED = "(expected: host:port, IPv6 in brackets as [::1]:8443)";
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9._-]+)?");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host: empty (expected: a name or an IP address)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
        }
    }

    /**
     * Parses {@code host:port}, where host is a DNS name or an IPv4 literal, or an IPv6 literal in
     * brackets ({@code [::1]:8443}); the port is 0..65535.
     *
     * @throws IllegalArgumentException with a message that quotes the text and says what is expected
     */
    public static HostPort parse(String text) {
        Objects.requireNonNull(text, "text");
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + text + "' " + EXPECTED);
            }
            host = text.substring(1, close);
            if (!IPV6.matcher(host).matches()) {
                throw new IllegalArgumentException("'" + text + "' has a bad IPv6 address " + EXPECTED);
            }
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + text + "' has no port " + EXPECTED);
            }
            host = text.substring(0, colon);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("'" + text + "' (expected: an IPv6 address in brackets, as [::1]:8443)");
            }
            if (!HOST_NAME.matcher(host).matches()) {
                throw new IllegalArgumentException("'" + text + "' has a bad host " + EXPECTED);
            }
            port = text.substring(colon + 1);
        }
        if (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("'" + text + "' has a bad port (expected: 0..65535)");
        }
        return new HostPort(host, Integer.parseInt(port));
    }

    /**
     * Whether the host is a loopback address written as such: {@code localhost}, 127.0.0.0/8 or
     * {@code ::1}. Names other than localhost are not resolved, so they do not count.
     */
    public boolean isLoopback() {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        byte[] address;
        try {
            address = ServerName.parse(host).ip();
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (address == null) {
            return false;
        }
        if (address.length == 4) {
            return address[0] == 127;
        }
        for (int i = 0; i < 15; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[15] == 1;
    }

    /** {@code host:port}, with brackets around an IPv6 literal. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
