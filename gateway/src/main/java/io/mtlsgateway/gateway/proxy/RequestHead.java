package io.mtlsgateway.gateway.proxy;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A request head as the {@link RequestPlanner} reads it: plain values, no Netty types, so that
 * planning is a function that can be tested alone. The HTTP handler builds one per request
 * ({@link RequestHeads}), with the framing facts already worked out by the codec.
 *
 * @param failure how the codec failed to decode the head, {@link DecodeFailure#NONE} when it did not
 * @param chunked whether the body is sent with chunked transfer coding
 * @param contentLength the declared body length, 0 when there is none
 * @param keepAlive whether the client wants the connection kept open after this exchange
 */
public record RequestHead(String method, String target, int majorVersion, int minorVersion, DecodeFailure failure,
        Headers headers, boolean chunked, long contentLength, boolean keepAlive) {

    public RequestHead {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(headers, "headers");
    }

    /** Why the codec could not decode a request head. */
    public enum DecodeFailure { NONE, LINE_TOO_LONG, HEADERS_TOO_LARGE, MALFORMED }

    /** Header fields looked up by name, ignoring case. */
    public interface Headers {
        /** Every value of the field, in order; empty when absent. */
        List<String> all(String name);

        /** How many field lines the head has. */
        int size();

        /** The first value of the field, or null. */
        default String first(String name) {
            List<String> values = all(name);
            return values.isEmpty() ? null : values.get(0);
        }

        /** Whether a comma-separated element of the field equals {@code token}, ignoring case. */
        default boolean hasToken(String name, String token) {
            for (String value : all(name)) {
                for (String element : value.split(",")) {
                    if (element.trim().equalsIgnoreCase(token)) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** Fixed headers (tests). */
        static Headers of(Map<String, List<String>> fields) {
            Map<String, List<String>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            fields.forEach((name, values) -> byName.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
            int size = byName.values().stream().mapToInt(List::size).sum();
            return new Headers() {
                @Override
                public List<String> all(String name) {
                    return byName.getOrDefault(name, List.of());
                }

                @Override
                public int size() {
                    return size;
                }
            };
        }
    }
}
