package io.mtlsgateway.config;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The checks that need the whole file: unique listener and route names, unique listen addresses,
 * routes naming defined upstreams, every referenced file existing and readable, and no allow rule
 * where a plain-HTTP listener would have to apply it.
 */
final class ReferenceValidator {
    private ReferenceValidator() {}

    static void validate(References refs) {
        unique(refs.listenerNames, "listener name");
        unique(refs.routeNames, "route name");
        uniqueAddresses(refs.listens);
        knownUpstreams(refs);
        readableFiles(refs.files);
        noRouteMatchesOnIdentityHeaders(refs);
        knownJwtIssuers(refs);
        claimHeadersApart(refs);
        noAllowRulesWithPlaintextListeners(refs);
    }

    /**
     * Routes serve every listener, and a plain-HTTP caller has no certificate for an allow rule to
     * judge: such rules would refuse every egress request, and a route without them would be open
     * to anything local. Mixing both kinds of listener with allow rules is refused outright.
     */
    private static void noAllowRulesWithPlaintextListeners(References refs) {
        if (refs.plaintextListeners.isEmpty()) {
            return;
        }
        References.Named plain = refs.plaintextListeners.get(0);
        for (References.Named allow : refs.allowLists) {
            allow.node().problem("route '" + YamlNode.show(allow.name()) + "' has allow rules, but listener '"
                    + YamlNode.show(plain.name()) + "' (line " + plain.node().line() + ") takes plain HTTP"
                    + " (tls: none): its callers have no certificate to match (run the egress listener in a"
                    + " gateway of its own, or remove the rules)");
        }
    }

    private static void knownJwtIssuers(References refs) {
        if (!refs.jwtIssuerNamesComplete) {
            return; // the jwt section itself is reported
        }
        for (References.Named reference : refs.jwtIssuerReferences) {
            if (!refs.jwtIssuerNames.contains(reference.name())) {
                String known = refs.jwtIssuerNames.isEmpty()
                        ? "an issuer defined under the top-level jwt mapping; none is"
                        : "one of " + String.join(", ", refs.jwtIssuerNames);
                reference.node().problem("unknown jwt issuer '" + YamlNode.show(reference.name()) + "' "
                        + Suggestions.expected(reference.name(), refs.jwtIssuerNames, known));
            }
        }
    }

    /**
     * A claim header is set from a token; an identity header with the same name would make one of
     * the two silently win, and a route matching on it would match what the client forged.
     */
    private static void claimHeadersApart(References refs) {
        for (References.Named header : refs.claimHeaders) {
            if (refs.identityHeaderNames.contains(HeaderNames.canonical(header.name()))) {
                header.node().problem("'" + header.name() + "' is also an identity header of a listener"
                        + " (expected: a name of its own; the gateway sets both kinds)");
            }
        }
        for (References.Named match : refs.routeMatchHeaders) {
            for (References.Named header : refs.claimHeaders) {
                if (HeaderNames.canonical(match.name()).equals(HeaderNames.canonical(header.name()))) {
                    match.node().problem("a route cannot match on " + match.name() + ": it is a claim header,"
                            + " which routes see as the client sent it, before the gateway replaces it"
                            + " (use 'allowClaims' to select by token)");
                    break;
                }
            }
        }
    }

    /** The gateway sets identity headers after routing: a route matching one matches a forgery. */
    private static void noRouteMatchesOnIdentityHeaders(References refs) {
        for (References.Named header : refs.routeMatchHeaders) {
            if (refs.identityHeaderNames.contains(HeaderNames.canonical(header.name()))) {
                header.node().problem("a route cannot match on " + header.name() + ": it is an identity header,"
                        + " which routes see as the client sent it, before the gateway replaces it"
                        + " (use 'allow' to select by identity)");
            }
        }
    }

    private static void unique(List<References.Named> names, String what) {
        Map<String, References.Named> seen = new HashMap<>();
        for (References.Named named : names) {
            References.Named first = seen.putIfAbsent(named.name(), named);
            if (first != null) {
                named.node().problem("duplicate " + what + " '" + YamlNode.show(named.name())
                        + "' (first at line " + first.node().line() + ")");
            }
        }
    }

    private static void uniqueAddresses(List<References.Listen> listens) {
        // File order decides which one is "first"; a default (no node) comes before anything written.
        List<References.Listen> ordered = new ArrayList<>(listens);
        ordered.sort(Comparator.comparingInt((References.Listen l) -> l.node() == null ? 0 : l.node().line())
                .thenComparingInt(l -> l.node() == null ? 0 : l.node().column()));
        Map<String, References.Listen> seen = new HashMap<>();
        for (References.Listen listen : ordered) {
            // Port 0 asks the OS for a free port, so several of them never collide.
            if (listen.address().port() == 0) {
                continue;
            }
            String key = listen.address().toString().toLowerCase(Locale.ROOT);
            References.Listen first = seen.putIfAbsent(key, listen);
            if (first != null) {
                String where = first.node() == null ? "" : " (line " + first.node().line() + ")";
                listen.node().problem(listen.address() + " is already the address of " + first.owner() + where);
            }
        }
    }

    private static void knownUpstreams(References refs) {
        if (!refs.upstreamNamesComplete) {
            return; // the upstreams section itself is reported; every route would only repeat it
        }
        for (References.Named reference : refs.upstreamReferences) {
            if (!refs.upstreamNames.contains(reference.name())) {
                String known = refs.upstreamNames.isEmpty()
                        ? "an upstream defined under upstreams; none is"
                        : "one of " + String.join(", ", refs.upstreamNames);
                reference.node().problem("unknown upstream '" + YamlNode.show(reference.name()) + "' "
                        + Suggestions.expected(reference.name(), refs.upstreamNames, known));
            }
        }
    }

    private static void readableFiles(List<References.FileRef> files) {
        for (References.FileRef file : files) {
            if (!Files.exists(file.path())) {
                file.node().problem("no such file: " + file.path());
            } else if (!Files.isRegularFile(file.path())) {
                file.node().problem("not a regular file: " + file.path());
            } else if (!Files.isReadable(file.path())) {
                file.node().problem("file not readable: " + file.path());
            }
        }
    }
}
