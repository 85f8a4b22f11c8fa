package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.routing.NormalizedPath;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Refuses requests whose meaning two HTTP implementations could disagree on (the root of request
 * smuggling), after the codec's own strict parsing: bad framing, several or no Host, a Host that
 * differs from an absolute-form target, unknown transfer codings, methods a reverse proxy must
 * not relay.
 */
final class RequestCheck {

    /**
     * The outcome: either a rejection, or the request's host and normalised path; for
     * {@code OPTIONS *} (a question about the server itself) the host and no path.
     */
    record Result(ProxyError rejection, String host, NormalizedPath path) {
        boolean rejected() {
            return rejection != null;
        }

        boolean serverOptions() {
            return rejection == null && path == null;
        }

        static Result reject(ProxyError error) {
            return new Result(error, null, null);
        }
    }

    /**
     * The methods forwarded: RFC 9110's (less CONNECT and TRACE) and PATCH. Any other token is
     * answered 501 rather than relayed to an upstream that may give it a meaning nobody reviewed.
     */
    static final List<String> FORWARDED_METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");
    /** Refused with 405: a tunnel past routing, and the two ways of echoing a request back (XST). */
    private static final List<String> REFUSED_METHODS = List.of("CONNECT", "TRACE", "TRACK");

    private RequestCheck() {}

    /** @param maxHeaderCount header fields allowed; more get 431 */
    static Result check(RequestHead request, int maxHeaderCount) {
        switch (request.failure()) {
            case LINE_TOO_LONG -> {
                return Result.reject(ProxyError.REQUEST_LINE_TOO_LONG);
            }
            case HEADERS_TOO_LARGE -> {
                return Result.reject(ProxyError.HEADERS_TOO_LARGE);
            }
            case MALFORMED -> {
                return Result.reject(ProxyError.MALFORMED_REQUEST);
            }
            case NONE -> { }
        }
        if (request.headers().size() > maxHeaderCount) {
            return Result.reject(ProxyError.TOO_MANY_HEADERS);
        }
        if (request.majorVersion() != 1 || request.minorVersion() > 1) {
            return Result.reject(ProxyError.HTTP_VERSION_NOT_SUPPORTED);
        }
        String method = request.method();
        if (REFUSED_METHODS.contains(method)) {
            return Result.reject(ProxyError.METHOD_NOT_ALLOWED);
        }
        if (!FORWARDED_METHODS.contains(method)) {
            return Result.reject(ProxyError.METHOD_NOT_IMPLEMENTED);
        }
        RequestHead.Headers headers = request.headers();
        // Most requests have no Transfer-Encoding: one look-up, without the list all() builds.
        if (headers.first("transfer-encoding") != null) {
            List<String> transferEncodings = headers.all("transfer-encoding");
            if (!(transferEncodings.size() == 1 && "chunked".equalsIgnoreCase(transferEncodings.get(0).trim()))) {
                return Result.reject(ProxyError.UNSUPPORTED_TRANSFER_ENCODING);
            }
        }
        List<String> hosts = headers.all("host");
        if (hosts.size() != 1 || hosts.get(0).isBlank()) {
            return Result.reject(ProxyError.BAD_HOST);
        }
        String host = hostWithoutPort(hosts.get(0).trim());
        if (host == null) {
            return Result.reject(ProxyError.BAD_HOST);
        }
        String target = request.target();
        if (target.equals("*")) {
            // Asterisk form is only for OPTIONS, and asks about the gateway, not any upstream.
            return method.equals("OPTIONS") ? new Result(null, host, null) : Result.reject(ProxyError.BAD_REQUEST_TARGET);
        }
        if (!target.startsWith("/")) {
            // Absolute form is allowed only when it names the same host: we are not a forward proxy.
            try {
                URI uri = new URI(target);
                if (uri.getRawAuthority() == null || !host.equalsIgnoreCase(hostWithoutPort(uri.getRawAuthority()))) {
                    return Result.reject(ProxyError.BAD_REQUEST_TARGET);
                }
                target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                        + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
            } catch (URISyntaxException e) {
                return Result.reject(ProxyError.BAD_REQUEST_TARGET);
            }
        }
        try {
            return new Result(null, host, NormalizedPath.of(target));
        } catch (NormalizedPath.InvalidPathException e) {
            return Result.reject(ProxyError.BAD_PATH);
        }
    }

    /** The host of a Host header value, lower case, without port; null when malformed. */
    static String hostWithoutPort(String value) {
        String host;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = value.substring(0, close + 1);
            String rest = value.substring(close + 1);
            if (!rest.isEmpty() && !validPort(rest)) {
                return null;
            }
        } else {
            int colon = value.indexOf(':');
            host = colon >= 0 ? value.substring(0, colon) : value;
            if (colon >= 0 && !validPort(value.substring(colon))) {
                return null;
            }
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == '_' || c == '[' || c == ']' || c == ':';
            if (!ok) {
                return null;
            }
        }
        // "api.example.com." names the same host as "api.example.com" (a fully qualified name):
        // route on one spelling, or the dotted one falls through to a broader route.
        if (host.endsWith(".") && !host.startsWith("[")) {
            host = host.substring(0, host.length() - 1);
        }
        return host.isEmpty() || host.endsWith(".") ? null : host.toLowerCase(Locale.ROOT);
    }

    private static boolean validPort(String colonAndPort) {
        if (colonAndPort.length() < 2 || colonAndPort.length() > 6 || colonAndPort.charAt(0) != ':') {
            return false;
        }
        int port = 0;
        for (int i = 1; i < colonAndPort.length(); i++) {
            char c = colonAndPort.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            port = port * 10 + (c - '0');
        }
        // A port no TCP connection can have names no host: two parsers could disagree on it.
        return port <= 65535;
    }
}
