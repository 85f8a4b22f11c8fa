package io.mtlsgateway.gateway.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A strict parser for one flat JSON object (string, number, boolean and null values), enough to
 * prove an access-log line is valid JSON without adding a JSON library to the build.
 */
public final class FlatJson {
    private final String text;
    private int pos;

    private FlatJson(String text) {
        this.text = text;
    }

    /** Parses {@code text}; throws IllegalArgumentException on anything that is not such an object. */
    public static Map<String, Object> parse(String text) {
        FlatJson parser = new FlatJson(text);
        Map<String, Object> result = parser.object();
        parser.skipSpace();
        if (parser.pos != text.length()) {
            throw parser.error("trailing characters");
        }
        return result;
    }

    private Map<String, Object> object() {
        expect('{');
        Map<String, Object> result = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            pos++;
            return result;
        }
        do {
            skipSpace();
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            if (result.put(key, value()) != null) {
                throw error("duplicate key " + key);
            }
            skipSpace();
        } while (tryConsume(','));
        expect('}');
        return result;
    }

    private Object value() {
        char c = peek();
        if (c == '"') {
            return string();
        }
        for (String literal : new String[] {"null", "true", "false"}) {
            if (text.startsWith(literal, pos)) {
                pos += literal.length();
                return literal.equals("null") ? null : Boolean.valueOf(literal);
            }
        }
        int start = pos;
        while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
        if (start == pos) {
            throw error("expected a value");
        }
        return Double.parseDouble(text.substring(start, pos));
    }

    private String string() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw error("control character in string");
            }
            if (c == '\\') {
                char e = text.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> throw error("bad escape");
                }
            } else {
                out.append(c);
            }
        }
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private char peek() {
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        return text.charAt(pos);
    }

    private boolean tryConsume(char c) {
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!tryConsume(c)) {
            throw error("expected '" + c + "'");
        }
    }

    private IllegalArgumentException error(String message) {
        return new IllegalArgumentException(message + " at " + pos + " in: " + text);
    }
}
