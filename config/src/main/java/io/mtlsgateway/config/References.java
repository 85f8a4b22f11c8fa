package io.mtlsgateway.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the binder saw that only the whole file can judge (names, addresses, upstream references,
 * files), each with the node that wrote it. Collected even where a record could not be built, so
 * one run reports cross-reference problems alongside the local ones.
 */
final class References {
    /** A name or reference as written, at its node. */
    record Named(String name, YamlNode node) {}

    /**
     * An address something listens on; {@code owner} names it in messages; {@code node} is null
     * for a default the file does not write.
     */
    record Listen(HostPort address, YamlNode node, String owner) {}

    /** A file the gateway will read, resolved to an absolute path. */
    record FileRef(Path path, YamlNode node) {}

    final List<Named> listenerNames = new ArrayList<>();
    /** Listeners with {@code tls: none}, at their tls node. */
    final List<Named> plaintextListeners = new ArrayList<>();
    /** Routes' allow lists, at their node, named by route. */
    final List<Named> allowLists = new ArrayList<>();
    final List<Named> routeNames = new ArrayList<>();
    final List<Named> upstreamReferences = new ArrayList<>();
    final Set<String> upstreamNames = new LinkedHashSet<>();
    /** False when {@code upstreams} is written but is not a mapping: no name can be judged unknown. */
    boolean upstreamNamesComplete = true;
    final List<Listen> listens = new ArrayList<>();
    final List<FileRef> files = new ArrayList<>();
    /** Identity header names of every listener, in their canonical form. */
    final Set<String> identityHeaderNames = new HashSet<>();
    /** Header names routes match on, with where they are written. */
    final List<Named> routeMatchHeaders = new ArrayList<>();
    /** Names under the top-level {@code jwt} mapping. */
    final Set<String> jwtIssuerNames = new LinkedHashSet<>();
    /** False when {@code jwt} is written but is not a mapping: no issuer can be judged unknown. */
    boolean jwtIssuerNamesComplete = true;
    /** Issuer names routes refer to, with where they are written. */
    final List<Named> jwtIssuerReferences = new ArrayList<>();
    /** Every issuer's claim header names, with where they are written. */
    final List<Named> claimHeaders = new ArrayList<>();
}
