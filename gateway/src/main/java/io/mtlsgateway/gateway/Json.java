package io.mtlsgateway.gateway;

/** JSON string literals for the small JSON documents the gateway writes (errors, demo, CLI output). */
public final class Json {
    private Json() {}

    /** The value as a quoted JSON string, with quotes, backslashes and control characters escaped. */
    public static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
