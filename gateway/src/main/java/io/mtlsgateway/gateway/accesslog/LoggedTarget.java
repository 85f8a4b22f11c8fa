package io.mtlsgateway.gateway.accesslog;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The request target as the access log shows it: cut at {@link #MAX_LENGTH} characters, and the
 * value of every {@code access_token} query parameter (RFC 6750 section 2.3) replaced. JWT routes
 * refuse such a request, but it is logged all the same, and a bearer token must never reach a log.
 */
final class LoggedTarget {
    /** A longer target is cut here: one request must not make a megabyte log line. */
    static final int MAX_LENGTH = 2048;
    static final String REDACTED = "REDACTED";
    private static final String TOKEN_PARAMETER = "access_token";

    private LoggedTarget() {}

    static String of(String target) {
        // Redacted before the cut, so a token straddling the cut is not left half shown.
        String shown = redacted(target);
        return shown.length() > MAX_LENGTH ? shown.substring(0, MAX_LENGTH) : shown;
    }

    private static String redacted(String target) {
        int query = target.indexOf('?');
        if (query < 0 || !target.contains("%") && !target.toLowerCase(Locale.ROOT).contains("token")) {
            return target;
        }
        int fragment = target.indexOf('#', query);
        int end = fragment < 0 ? target.length() : fragment;
        StringBuilder out = new StringBuilder(target.length()).append(target, 0, query + 1);
        String[] parameters = target.substring(query + 1, end).split("&", -1);
        for (int i = 0; i < parameters.length; i++) {
            String parameter = parameters[i];
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals);
            out.append(i == 0 ? "" : "&");
            if (isTokenParameter(name) && equals >= 0) {
                out.append(name).append('=').append(REDACTED);
            } else {
                out.append(parameter);
            }
        }
        return out.append(target, end, target.length()).toString();
    }

    /** The parameter name as an application would read it: percent-decoded, any case. */
    private static boolean isTokenParameter(String name) {
        String decoded;
        try {
            decoded = URLDecoder.decode(name, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            decoded = name;
        }
        return decoded.toLowerCase(Locale.ROOT).equals(TOKEN_PARAMETER);
    }
}
