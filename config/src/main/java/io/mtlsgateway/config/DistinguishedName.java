package io.mtlsgateway.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A distinguished name read from its string form, RDNs in the order written (most significant
 * last, as RFC 4514 and OpenSSL write them). Reads RFC 4514 (and RFC 2253) strings, OpenSSL's
 * {@code -nameopt RFC2253} output, and the usual leniencies: spaces around {@code ,} {@code +} and
 * {@code =}, {@code ;} between RDNs, quoted values, attribute types by name (any case) or as an OID
 * ({@code 2.5.4.3} or {@code OID.2.5.4.3}). Values stay as written after unescaping; comparing
 * them by meaning is the matcher's job.
 *
 * @param rdns the relative distinguished names, each with at least one attribute
 */
public record DistinguishedName(List<List<Attribute>> rdns) {
    /**
     * One attribute type and value.
     *
     * @param oid the type as a dotted OID
     * @param text the value as text, or null when it was written as {@code #} and hex
     * @param ber the BER encoding written after {@code #}, or null for a text value
     */
    public record Attribute(String oid, String text, byte[] ber) {
        public Attribute {
            Objects.requireNonNull(oid, "oid");
            if ((text == null) == (ber == null)) {
                throw new IllegalArgumentException("exactly one of text and ber");
            }
        }
    }

    public DistinguishedName {
        rdns = rdns.stream().map(List::copyOf).toList();
    }

    /**
     * Reads a DN as a person writes it: attribute names ignore case ({@code uid} is RFC 4514's
     * userId).
     *
     * @throws IllegalArgumentException saying what is wrong and where
     */
    public static DistinguishedName parse(String text) {
        return new Parser(text, false).dn();
    }

    /**
     * Reads a DN as OpenSSL prints it: its exact short names win over case-insensitive ones
     * ({@code uid} is uniqueIdentifier, {@code UID} userId).
     *
     * @throws IllegalArgumentException saying what is wrong and where
     */
    public static DistinguishedName parseOpenSsl(String text) {
        return new Parser(text, true).dn();
    }

    private static final class Parser {
        private final String s;
        private final boolean openSslNames;
        private int at;

        Parser(String s, boolean openSslNames) {
            this.s = s;
            this.openSslNames = openSslNames;
        }

        DistinguishedName dn() {
            List<List<Attribute>> rdns = new ArrayList<>();
            skipSpaces();
            if (at == s.length()) {
                return new DistinguishedName(rdns);
            }
            while (true) {
                List<Attribute> rdn = new ArrayList<>();
                rdn.add(attribute());
                while (at < s.length() && s.charAt(at) == '+') {
                    at++;
                    rdn.add(attribute());
                }
                rdns.add(rdn);
                if (at == s.length()) {
                    return new DistinguishedName(rdns);
                }
                char c = s.charAt(at);
                if (c != ',' && c != ';') {
                    throw problem("expected ',' or '+' after a value");
                }
                at++;
            }
        }

        private Attribute attribute() {
            skipSpaces();
            int start = at;
            while (at < s.length() && isTypeChar(s.charAt(at))) {
                at++;
            }
            String name = s.substring(start, at);
            if (name.isEmpty()) {
                throw problem("expected an attribute type such as CN");
            }
            skipSpaces();
            if (at == s.length() || s.charAt(at) != '=') {
                throw problem("expected '=' after '" + name + "'");
            }
            String oid = oid(name, start);
            at++;
            skipSpaces();
            if (at < s.length() && s.charAt(at) == '#') {
                byte[] ber = hexValue();
                if (ber != null) {
                    return new Attribute(oid, null, ber);
                }
            }
            if (at < s.length() && s.charAt(at) == '"') {
                return new Attribute(oid, quotedValue(), null);
            }
            return new Attribute(oid, stringValue(), null);
        }

        private String oid(String name, int start) {
            String dotted = name.regionMatches(true, 0, "OID.", 0, 4) ? name.substring(4) : name;
            if (isNumericOid(dotted)) {
                return dotted;
            }
            var type = openSslNames ? DnAttributes.byOpenSslName(name) : DnAttributes.byName(name);
            return type.orElseThrow(() -> new IllegalArgumentException("unknown attribute type '" + name
                    + "' at character " + (start + 1) + ": use a name such as CN, O, OU, C, emailAddress,"
                    + " serialNumber, DC, UID, or a dotted OID")).oid();
        }

        /** {@code #} and hex pairs up to the end of the value; null (position unchanged) if it is not that. */
        private byte[] hexValue() {
            int end = at + 1;
            while (end < s.length() && HexFormat.isHexDigit(s.charAt(end))) {
                end++;
            }
            int next = end;
            while (next < s.length() && s.charAt(next) == ' ') {
                next++;
            }
            boolean atEnd = next == s.length() || ",;+".indexOf(s.charAt(next)) >= 0;
            int digits = end - at - 1;
            if (!atEnd || digits == 0 || digits % 2 != 0) {
                // Not hex: OpenSSL leaves a value that is only '#' unescaped, so read it as text.
                return null;
            }
            byte[] ber = HexFormat.of().parseHex(s, at + 1, end);
            at = next;
            return ber;
        }

        private String quotedValue() {
            at++;
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            while (true) {
                if (at == s.length()) {
                    throw problem("unterminated quoted value");
                }
                char c = s.charAt(at);
                if (c == '"') {
                    at++;
                    break;
                }
                if (c == '\\') {
                    escape(bytes);
                } else {
                    appendChar(bytes);
                }
            }
            skipSpaces();
            return bytes.toString(StandardCharsets.UTF_8);
        }

        private String stringValue() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            // Unescaped trailing spaces are not part of the value (RFC 4514 requires escaping
            // significant ones; RFC 1779 allowed spaces before the separator).
            int keptLength = 0;
            while (at < s.length()) {
                char c = s.charAt(at);
                if (c == ',' || c == ';' || c == '+') {
                    break;
                }
                if (c == '\\') {
                    escape(bytes);
                    keptLength = bytes.size();
                } else {
                    if (c == '"' || c == '<' || c == '>') {
                        throw problem("'" + c + "' must be escaped with a backslash");
                    }
                    appendChar(bytes);
                    if (c != ' ') {
                        keptLength = bytes.size();
                    }
                }
            }
            byte[] all = bytes.toByteArray();
            return new String(all, 0, keptLength, StandardCharsets.UTF_8);
        }

        private void escape(ByteArrayOutputStream bytes) {
            at++;
            if (at == s.length()) {
                throw problem("a backslash at the end of a value");
            }
            char c = s.charAt(at);
            if (HexFormat.isHexDigit(c) && at + 1 < s.length() && HexFormat.isHexDigit(s.charAt(at + 1))) {
                bytes.write(HexFormat.fromHexDigits(s, at, at + 2));
                at += 2;
                return;
            }
            if (c < 0x20 || c == 0x7F) {
                throw problem("a backslash before a control character (expected: a character or two hex digits)");
            }
            appendChar(bytes);
        }

        private void appendChar(ByteArrayOutputStream bytes) {
            int codePoint = s.codePointAt(at);
            byte[] utf8 = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
            bytes.write(utf8, 0, utf8.length);
            at += Character.charCount(codePoint);
        }

        private void skipSpaces() {
            while (at < s.length() && s.charAt(at) == ' ') {
                at++;
            }
        }

        private IllegalArgumentException problem(String what) {
            return new IllegalArgumentException(what + " at character " + (at + 1));
        }

        private static boolean isTypeChar(char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
        }

        private static boolean isNumericOid(String s) {
            if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c != '.' && (c < '0' || c > '9')) {
                    return false;
                }
            }
            return s.indexOf('.') > 0;
        }
    }
}
