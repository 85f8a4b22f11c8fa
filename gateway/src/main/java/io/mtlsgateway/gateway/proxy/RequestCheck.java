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

    /** The outcome: either a rejection or the request's host and normalised path. */
    record Result(ProxyError rejection, String host, NormalizedPath path) {
        boolean rejected() {
            return rejection != null;
        }

        static Result reject(ProxyError error) {
            return new Result(error, null, null);
        }
    }

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
        if (method.equals("CONNECT") || method.equals("TRACE")) {
            return Result.reject(ProxyError.METHOD_NOT_ALLOWED);
        }
        RequestHead.Headers headers = request.headers();
        List<String> transferEncodings = headers.all("transfer-encoding");
        if (!transferEncodings.isEmpty() && !(transferEncodings.size() == 1
                && "chunked".equalsIgnoreCase(transferEncodings.get(0).trim()))) {
            return Result.reject(ProxyError.UNSUPPORTED_TRANSFER_ENCODING);
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
        for (int i = 1; i < colonAndPort.length(); i++) {
            if (!Character.isDigit(colonAndPort.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
