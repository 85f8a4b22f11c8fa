package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.gateway.routing.NormalizedPath;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
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
    record Result(HttpResponseStatus rejectStatus, String rejectCode, String host, NormalizedPath path) {
        boolean rejected() {
            return rejectStatus != null;
        }

        static Result reject(HttpResponseStatus status, String code) {
            return new Result(status, code, null, null);
        }
    }

    private RequestCheck() {}

    /** @param maxHeaderCount header fields allowed; more get 431 */
    static Result check(HttpRequest request, int maxHeaderCount) {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            if (cause instanceof TooLongHttpLineException) {
                return Result.reject(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request_line_too_long");
            }
            if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
                return Result.reject(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large");
            }
            return Result.reject(HttpResponseStatus.BAD_REQUEST, "malformed_request");
        }
        if (request.headers().size() > maxHeaderCount) {
            return Result.reject(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "too_many_headers");
        }
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1 || version.minorVersion() > 1) {
            return Result.reject(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "http_version_not_supported");
        }
        HttpMethod method = request.method();
        if (method.equals(HttpMethod.CONNECT) || method.equals(HttpMethod.TRACE)) {
            return Result.reject(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed");
        }
        HttpHeaders headers = request.headers();
        List<String> transferEncodings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!transferEncodings.isEmpty() && !(transferEncodings.size() == 1
                && HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(transferEncodings.get(0).trim()))) {
            return Result.reject(HttpResponseStatus.NOT_IMPLEMENTED, "unsupported_transfer_encoding");
        }
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        if (hosts.size() != 1 || hosts.get(0).isBlank()) {
            return Result.reject(HttpResponseStatus.BAD_REQUEST, "bad_host");
        }
        String host = hostWithoutPort(hosts.get(0).trim());
        if (host == null) {
            return Result.reject(HttpResponseStatus.BAD_REQUEST, "bad_host");
        }
        String target = request.uri();
        if (!target.startsWith("/")) {
            // Absolute form is allowed only when it names the same host: we are not a forward proxy.
            try {
                URI uri = new URI(target);
                if (uri.getRawAuthority() == null || !host.equalsIgnoreCase(hostWithoutPort(uri.getRawAuthority()))) {
                    return Result.reject(HttpResponseStatus.BAD_REQUEST, "bad_request_target");
                }
                target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                        + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
            } catch (URISyntaxException e) {
                return Result.reject(HttpResponseStatus.BAD_REQUEST, "bad_request_target");
            }
        }
        try {
            return new Result(null, null, host, NormalizedPath.of(target));
        } catch (NormalizedPath.InvalidPathException e) {
            return Result.reject(HttpResponseStatus.BAD_REQUEST, "bad_path");
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
