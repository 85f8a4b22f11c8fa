package io.mtlsgateway.gateway;

/**
 * Makes a value that came from a peer (a certificate name, an exception message that quotes one, a
 * header, an SNI name) safe inside a log line: a CA can sign any bytes into a subject, and a CR or
 * LF there would otherwise write a second, forged record. Control characters (C0, DEL, C1), the
 * Unicode line and paragraph separators and invisible format characters (bidirectional overrides
 * and the like, which make a line read differently from what it holds) become <code>\xHH</code> or
 * <code>&#92;uHHHH</code>; everything else, backslashes included, is kept, so OpenSSL-style DN escapes
 * read the same as in the headers. Every log line with such a value goes through here.
 */
public final class LogText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private LogText() {}

    /** {@code String.valueOf(value)}, escaped; the same string when nothing needs escaping. */
    public static String of(Object value) {
        String s = String.valueOf(value);
        int first = firstUnsafe(s);
        if (first < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 16).append(s, 0, first);
        for (int i = first; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!unsafe(c)) {
                out.append(c);
            } else if (c < 0x100) {
                out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            } else {
                out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF])
                        .append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }

    private static int firstUnsafe(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (unsafe(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean unsafe(char c) {
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
            return true;
        }
        if (c < 0xA0) {
            return false;
        }
        int type = Character.getType(c);
        return type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR || type == Character.FORMAT;
    }
}
