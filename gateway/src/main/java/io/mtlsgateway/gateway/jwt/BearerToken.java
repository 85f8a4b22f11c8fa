package io.mtlsgateway.gateway.jwt;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds the bearer token of a request (RFC 6750 section 2.1): exactly one {@code Authorization}
 * field with scheme {@code Bearer} and a token68 value. A token in the query string (section 2.3)
 * is refused: URLs end up in logs, histories and Referer headers.
 */
final class BearerToken {
    private static final Pattern TOKEN68 = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
    private static final Pattern QUERY_TOKEN = Pattern.compile("(?:^|&)access_token(?:=|&|$)");

    /** What the request holds: a token, none, or something to refuse. */
    sealed interface Found permits Token, None, Refused {}

    record Token(String value) implements Found {}

    record None() implements Found {}

    record Refused(String detail) implements Found {}

    private BearerToken() {}

    /**
     * @param authorization every Authorization field value of the request
     * @param target the request target, for the query-string check
     */
    static Found find(List<String> authorization, String target) {
        int query = target.indexOf('?');
        if (query >= 0 && QUERY_TOKEN.matcher(target.substring(query + 1)).find()) {
            return new Refused("access_token in the query string (expected: the Authorization header only)");
        }
        if (authorization.isEmpty()) {
            return new None();
        }
        if (authorization.size() > 1) {
            return new Refused(authorization.size() + " Authorization fields (expected: exactly one)");
        }
        String value = authorization.get(0).strip();
        int space = value.indexOf(' ');
        String scheme = space < 0 ? value : value.substring(0, space);
        if (!scheme.toLowerCase(Locale.ROOT).equals("bearer")) {
            // Other credentials (Basic, ...) are for the upstream: for the token check there is none.
            return new None();
        }
        String token = space < 0 ? "" : value.substring(space + 1).strip();
        if (!TOKEN68.matcher(token).matches()) {
            return new Refused("the Bearer credentials are not a token (expected: token68 characters)");
        }
        return new Token(token);
    }

    /** The token text, when found. */
    static Optional<String> value(Found found) {
        return found instanceof Token token ? Optional.of(token.value()) : Optional.empty();
    }
}
