package io.mtlsgateway.gateway.routing;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;

/**
 * A request target reduced to one canonical path (RFC 3986 section 6): percent-encoded unreserved
 * characters decoded, dot segments removed, empty segments merged. Routing, authorization and
 * the upstream all see this same path, so {@code /api/../admin} cannot reach a route the caller
 * may not use.
 *
 * @param path the normalised path, always starting with {@code /}
 * @param query the query string without {@code ?}, empty when absent
 */
public record NormalizedPath(String path, String query) {

    public NormalizedPath {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(query, "query");
    }

    /** Why a request target was refused. */
    public static final class InvalidPathException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidPathException(String message) {
            super(message);
        }
    }

    /**
     * The path as servlet containers and the frameworks on them (Tomcat, Jetty, Spring) read it:
     * every segment's parameters ({@code ;jsessionid=1}) removed, so {@code /admin;x/secret} is
     * {@code /admin/secret}; the same path when no segment has any.
     */
    public String pathWithoutParameters() {
        if (path.indexOf(';') < 0) {
            return path;
        }
        StringBuilder out = new StringBuilder(path.length());
        boolean inParameters = false;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '/') {
                inParameters = false;
            } else if (c == ';') {
                inParameters = true;
            }
            if (!inParameters) {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Path and query, as sent to the upstream. */
    public String target() {
        return query.isEmpty() ? path : path + "?" + query;
    }

    /**
     * Normalises an origin-form request target ({@code /a/b?q}).
     *
     * @throws InvalidPathException for a target that is not origin-form, climbs above the root,
     *     or holds an encoded slash, backslash, NUL or a bad percent escape
     */
    public static NormalizedPath of(String target) throws InvalidPathException {
        int hash = target.indexOf('#');
        if (hash >= 0) {
            throw new InvalidPathException("fragment in request target");
        }
        int q = target.indexOf('?');
        String rawPath = q >= 0 ? target.substring(0, q) : target;
        String query = q >= 0 ? target.substring(q + 1) : "";
        if (!rawPath.startsWith("/")) {
            throw new InvalidPathException("request target is not an absolute path");
        }
        return new NormalizedPath(isCanonical(rawPath) ? rawPath : normalize(rawPath), query);
    }

    /** The full normalisation of a path starting with {@code /}: escapes checked and decoded, dot segments removed. */
    static String normalize(String rawPath) throws InvalidPathException {
        return removeDotSegments(decodeUnreserved(rawPath));
    }

    /**
     * Whether {@link #normalize} would return the path unchanged, decided in one scan without copying: no escape,
     * no forbidden character, no empty segment but the last, no segment starting with a dot (which covers every
     * dot segment, with or without parameters). Nearly every request's path is like this.
     */
    private static boolean isCanonical(String path) {
        int length = path.length();
        for (int i = 0; i < length; i++) {
            char c = path.charAt(i);
            if (c == '%' || c == '\\' || c < 0x21 || c == 0x7f) {
                return false;
            }
            if (c == '/' && i + 1 < length) {
                char next = path.charAt(i + 1);
                if (next == '/' || next == '.') {
                    return false;
                }
            }
        }
        return true;
    }

    /** Checks every escape and decodes the unreserved ones, so {@code %2e%2e} is seen as {@code ..}. */
    private static String decodeUnreserved(String path) throws InvalidPathException {
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\' || c < 0x21 || c == 0x7f) {
                throw new InvalidPathException("forbidden character in path");
            }
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 2 >= path.length()) {
                throw new InvalidPathException("truncated percent escape in path");
            }
            int value = hex(path.charAt(i + 1)) << 4 | hex(path.charAt(i + 2));
            if (value < 0) {
                throw new InvalidPathException("bad percent escape in path");
            }
            if (value == '/' || value == '\\' || value == 0) {
                throw new InvalidPathException("encoded slash, backslash or NUL in path");
            }
            if (isUnreserved(value)) {
                out.append((char) value);
            } else {
                out.append('%').append(Character.toUpperCase(path.charAt(i + 1)))
                        .append(Character.toUpperCase(path.charAt(i + 2)));
            }
            i += 2;
        }
        return out.toString();
    }

    private static String removeDotSegments(String path) throws InvalidPathException {
        Deque<String> segments = new ArrayDeque<>();
        String[] parts = path.split("/", -1);
        for (int i = 1; i < parts.length; i++) {
            String segment = parts[i];
            boolean last = i == parts.length - 1;
            if (segment.equals(".") || (segment.isEmpty() && !last)) {
                continue;
            }
            int semicolon = segment.indexOf(';');
            if (semicolon >= 0) {
                String name = segment.substring(0, semicolon);
                if (name.equals(".") || name.equals("..")) {
                    // Servlet containers drop ";params" and then resolve "..;" as "..": the
                    // upstream would see another path than the one routed and authorized.
                    throw new InvalidPathException("dot segment with parameters in path");
                }
            }
            if (segment.equals("..")) {
                if (segments.isEmpty()) {
                    throw new InvalidPathException("path climbs above the root");
                }
                segments.removeLast();
                continue;
            }
            segments.addLast(segment);
        }
        // A trailing dot segment keeps the trailing slash: /a/b/.. is /a/.
        String lastPart = parts[parts.length - 1];
        boolean trailingSlash = lastPart.equals(".") || lastPart.equals("..");
        StringBuilder out = new StringBuilder(path.length());
        for (String segment : segments) {
            out.append('/').append(segment);
        }
        if (out.length() == 0 || trailingSlash) {
            out.append('/');
        }
        return out.toString();
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -256;
    }

    /** The path with {@code prefix} replaced by {@code replacement}; the prefix must match. */
    public NormalizedPath rewritePrefix(String prefix, Optional<String> replacement) {
        if (replacement.isEmpty()) {
            return this;
        }
        String rest = path.substring(prefix.length());
        String head = replacement.get();
        String rewritten;
        if (rest.isEmpty()) {
            rewritten = head;
        } else if (head.endsWith("/") && rest.startsWith("/")) {
            rewritten = head + rest.substring(1);
        } else if (!head.endsWith("/") && !rest.startsWith("/")) {
            rewritten = head + "/" + rest;
        } else {
            rewritten = head + rest;
        }
        return new NormalizedPath(rewritten, query);
    }
}
