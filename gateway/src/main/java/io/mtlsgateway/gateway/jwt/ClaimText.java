package io.mtlsgateway.gateway.jwt;

import java.util.List;
import java.util.Optional;

/**
 * Renders a claim as an HTTP header value. A value a header cannot carry faithfully is refused,
 * never cleaned up: an upstream must see exactly what the issuer signed, or nothing.
 */
final class ClaimText {
    private ClaimText() {}

    /** Thrown when a claim cannot be a header value; the message says why, without the value. */
    static final class UnsafeClaimException extends Exception {
        private static final long serialVersionUID = 1L;

        UnsafeClaimException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Strings as they are, numbers and booleans as JSON writes them, arrays of those joined with
     * commas; empty when the claim is absent or null.
     */
    static Optional<String> render(String name, Object value) throws UnsafeClaimException {
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof List<?> list) {
            StringBuilder joined = new StringBuilder();
            for (Object element : list) {
                if (element instanceof List<?> || element instanceof java.util.Map<?, ?> || element == null) {
                    throw new UnsafeClaimException("claim " + name + " holds a nested value (expected: strings,"
                            + " numbers or booleans)");
                }
                if (joined.length() > 0) {
                    joined.append(',');
                }
                joined.append(scalar(name, element));
            }
            return joined.length() == 0 ? Optional.empty() : Optional.of(joined.toString());
        }
        if (value instanceof java.util.Map<?, ?>) {
            throw new UnsafeClaimException("claim " + name + " is a JSON object (expected: a string, number,"
                    + " boolean or array of them)");
        }
        return Optional.of(scalar(name, value));
    }

    private static String scalar(String name, Object value) throws UnsafeClaimException {
        String text = value instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)
                ? Long.toString(d.longValue()) : String.valueOf(value);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new UnsafeClaimException("claim " + name + " holds a "
                        + (c == '\r' || c == '\n' ? "CR or LF" : "control or non-ASCII character")
                        + " (U+" + String.format("%04X", (int) c) + "), which a header cannot carry as signed");
            }
        }
        if (!text.isEmpty() && (text.charAt(0) == ' ' || text.charAt(text.length() - 1) == ' ')) {
            throw new UnsafeClaimException("claim " + name + " starts or ends with a space, which a header drops");
        }
        return text;
    }
}
