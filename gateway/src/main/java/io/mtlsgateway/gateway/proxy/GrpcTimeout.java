package io.mtlsgateway.gateway.proxy;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * The {@code grpc-timeout} request field of the gRPC over HTTP/2 protocol: how long the client
 * waits for its call, as one to eight ASCII digits and a unit, {@code H} hours, {@code M} minutes,
 * {@code S} seconds, {@code m} milliseconds, {@code u} microseconds, {@code n} nanoseconds
 * ({@code 250m}, {@code 3S}). Nothing else is accepted: no sign, no space, no ninth digit, no
 * second field. A malformed value is refused rather than ignored, so a client never believes a
 * deadline is enforced that is not.
 */
final class GrpcTimeout {
    static final String FIELD = "grpc-timeout";
    static final int MAX_DIGITS = 8;

    /** What a request's {@code grpc-timeout} fields say. */
    sealed interface Parsed {}

    /** The request has no {@code grpc-timeout}: the route's timeouts alone apply. */
    record Absent() implements Parsed {}

    /** A well-formed value (zero is a deadline that has passed already). */
    record Timeout(Duration value) implements Parsed {}

    /** Not the grammar above, or more than one field: answered with INVALID_ARGUMENT. */
    record Malformed() implements Parsed {}

    private GrpcTimeout() {}

    /** @param fields every value of the request's {@code grpc-timeout} field, in order */
    static Parsed of(List<String> fields) {
        if (fields.isEmpty()) {
            return new Absent();
        }
        if (fields.size() > 1) {
            return new Malformed();
        }
        return parse(fields.get(0)).<Parsed>map(Timeout::new).orElseGet(Malformed::new);
    }

    /** @return the timeout, empty when {@code value} is not of the grammar */
    static Optional<Duration> parse(String value) {
        int digits = value.length() - 1;
        if (digits < 1 || digits > MAX_DIGITS) {
            return Optional.empty();
        }
        long amount = 0;
        for (int i = 0; i < digits; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return Optional.empty();
            }
            amount = amount * 10 + (c - '0');
        }
        ChronoUnit unit = switch (value.charAt(digits)) {
            case 'H' -> ChronoUnit.HOURS;
            case 'M' -> ChronoUnit.MINUTES;
            case 'S' -> ChronoUnit.SECONDS;
            case 'm' -> ChronoUnit.MILLIS;
            case 'u' -> ChronoUnit.MICROS;
            case 'n' -> ChronoUnit.NANOS;
            default -> null;
        };
        // Eight digits of hours fit a Duration (its range is far larger than 10^8 hours).
        return unit == null ? Optional.empty() : Optional.of(Duration.of(amount, unit));
    }
}
