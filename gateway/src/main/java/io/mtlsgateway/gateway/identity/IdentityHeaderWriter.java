package io.mtlsgateway.gateway.identity;

import io.mtlsgateway.config.HeaderNames;
import io.mtlsgateway.config.IdentityTemplate;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.config.XfccMode;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Strips every identity header a client sent, then sets trustworthy ones: the listener's templated
 * headers, X-Forwarded-Client-Cert per the xfcc mode, and the RFC 9440 fields. Built once per
 * listener (and rebuilt on reload); immutable and safe to share between event loops.
 *
 * <p>Use, per request: {@link #strip(HttpHeaders)} on the request headers, then
 * {@link #set(HttpHeaders, PeerIdentity)} (also when there is no client certificate), and
 * {@link #stripTrailers(HttpHeaders)} on the trailers of a chunked request.
 *
 * <p>The stripping is the {@link ForgedHeaderStripper}'s (names match ignoring case and {@code _}
 * vs {@code -}); this class checks the configured headers and renders the values it sets.
 */
public final class IdentityHeaderWriter {
    /** Envoy's client-certificate header. */
    public static final String X_FORWARDED_CLIENT_CERT = "X-Forwarded-Client-Cert";
    /** RFC 9440: the client's leaf certificate. */
    public static final String CLIENT_CERT = "Client-Cert";
    /** RFC 9440: the rest of the client's chain. */
    public static final String CLIENT_CERT_CHAIN = "Client-Cert-Chain";

    private final List<TemplatedHeader> templated;
    private final XfccMode xfccMode;
    private final boolean rfc9440;
    private final Optional<String> by;
    private final ForgedHeaderStripper stripper;
    private final boolean forwardsClientXfcc;

    record TemplatedHeader(String name, IdentityTemplate template) {
        boolean usesToken() {
            return !template.claims().isEmpty();
        }
    }

    /**
     * A writer for this listener.
     *
     * @param serverUriSan the URI SAN of the gateway's own certificate on this listener, sent as
     *        XFCC {@code By}; empty to leave {@code By} out
     * @throws IllegalArgumentException listing every identity header name or template that cannot be
     *         used (not a token, reserved, duplicate once normalised, literal text not printable ASCII)
     */
    public IdentityHeaderWriter(ListenerConfig listener, Optional<String> serverUriSan) {
        this(listener, serverUriSan, Set.of());
    }

    /**
     * A writer for this listener that also strips {@code claimHeaders}, the headers set from tokens
     * (every issuer's, on every route: a route without a token must not pass a forged one on).
     */
    public IdentityHeaderWriter(ListenerConfig listener, Optional<String> serverUriSan, Set<String> claimHeaders) {
        this(listener.identityHeaders(), listener.xfcc(), listener.rfc9440(), serverUriSan, claimHeaders);
    }

    /**
     * A writer from its parts; {@link #IdentityHeaderWriter(ListenerConfig, Optional)} is the usual way.
     *
     * @throws IllegalArgumentException as the other constructor does
     */
    public IdentityHeaderWriter(
            Map<String, IdentityTemplate> identityHeaders, XfccMode xfccMode, boolean rfc9440,
            Optional<String> serverUriSan) {
        this(identityHeaders, xfccMode, rfc9440, serverUriSan, Set.of());
    }

    private IdentityHeaderWriter(
            Map<String, IdentityTemplate> identityHeaders, XfccMode xfccMode, boolean rfc9440,
            Optional<String> serverUriSan, Set<String> claimHeaders) {
        this.xfccMode = Objects.requireNonNull(xfccMode, "xfccMode");
        this.rfc9440 = rfc9440;
        this.by = Objects.requireNonNull(serverUriSan, "serverUriSan");
        this.forwardsClientXfcc = xfccMode == XfccMode.APPEND_FORWARD || xfccMode == XfccMode.FORWARD_ONLY;

        List<String> problems = new ArrayList<>();
        List<TemplatedHeader> headers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        identityHeaders.forEach((name, template) -> {
            String where = "identityHeaders." + name;
            String normal = ForgedHeaderStripper.normalise(name);
            if (!HeaderNames.isToken(name)) {
                problems.add(where + ": not a valid header name (expected: an RFC 9110 token such as X-Client-Subject)");
            } else if (HeaderNames.reservedReason(name).isPresent()) {
                problems.add(where + ": reserved, the gateway sets or relies on this header");
            } else if (!names.add(normal)) {
                problems.add(where + ": same header as another entry (names match ignoring case and _ vs -)");
            }
            for (IdentityTemplate.Part part : template.parts()) {
                if (part instanceof IdentityTemplate.Literal literal && !isPrintableAscii(literal.text())) {
                    problems.add(where + ": template text '" + HeaderValueEncoding.text(literal.text())
                            + "' has a control or non-ASCII character (expected: printable ASCII)");
                }
            }
            headers.add(new TemplatedHeader(name, template));
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        this.templated = List.copyOf(headers);

        names.addAll(claimHeaders);
        this.stripper = new ForgedHeaderStripper(names, forwardsClientXfcc);
    }

    /**
     * Removes from request headers every copy, in any spelling, of each configured identity header,
     * of Client-Cert and Client-Cert-Chain, of X-Forwarded-For/-Proto/-Host and Forwarded, and of
     * X-Forwarded-Client-Cert unless the xfcc mode forwards the client's (append-forward,
     * forward-only); in those modes only its {@code _} spellings go, since a trusted proxy in front
     * sends the canonical name and an underscore copy can only be an attempt to shadow it.
     */
    public void strip(HttpHeaders headers) {
        stripper.strip(headers);
    }

    /**
     * Removes the same names from request trailers, and X-Forwarded-Client-Cert in every mode: no
     * proxy sends XFCC as a trailer, and upstreams that merge trailers into headers must not see one.
     */
    public void stripTrailers(HttpHeaders trailers) {
        stripper.stripTrailers(trailers);
    }

    /**
     * Adds the identity headers for this client; {@link #strip(HttpHeaders)} must have run first.
     * Templated headers whose value renders empty are left out. With a {@code null} identity (no
     * client certificate on an optional or none listener) nothing is added, and, as Envoy does, a
     * client XFCC kept by append-forward or forward-only is removed: only a peer that proved its
     * identity is trusted to forward one.
     *
     * @return whether the gateway's XFCC element left out URI or DNS pairs to stay within its size
     *         budget (the caller counts it)
     */
    public boolean set(HttpHeaders headers, PeerIdentity identity) {
        return set(headers, identity, IdentityTemplateRenderer.NO_CLAIMS);
    }

    /**
     * As {@link #set(HttpHeaders, PeerIdentity)}, with {@code ${jwt.CLAIM}} variables taken from
     * {@code claims} (the request's verified token).
     *
     * @return as {@link #set(HttpHeaders, PeerIdentity)}
     */
    public boolean set(HttpHeaders headers, PeerIdentity identity, Function<String, Optional<String>> claims) {
        return set(headers, forPeer(identity), claims);
    }

    /**
     * What {@link #set(HttpHeaders, PeerIdentity)} adds for this client, rendered once: a connection
     * makes it when it starts and sets it on each of its requests with
     * {@link #set(HttpHeaders, PeerHeaders, Function)}.
     *
     * @param identity the verified client, or null without a certificate
     */
    public PeerHeaders forPeer(PeerIdentity identity) {
        if (identity == null) {
            return new PeerHeaders(null, List.of(), null, false, null, null);
        }
        List<PeerHeaders.Templated> headers = new ArrayList<>(templated.size());
        for (TemplatedHeader header : templated) {
            headers.add(header.usesToken() ? new PeerHeaders.Templated(header.name(), null, header)
                    : new PeerHeaders.Templated(header.name(),
                            IdentityTemplateRenderer.render(header.template(), identity), null));
        }
        String xfcc = null;
        boolean trimmed = false;
        if (xfccMode == XfccMode.SANITIZE_SET || xfccMode == XfccMode.APPEND_FORWARD) {
            XfccElement.Element element = XfccElement.within(identity, by, XfccElement.MAX_LENGTH);
            xfcc = element.text();
            trimmed = element.dropped() > 0;
        }
        String cert = rfc9440 ? ClientCertFields.clientCert(identity) : null;
        String chain = rfc9440 ? ClientCertFields.clientCertChain(identity) : null;
        return new PeerHeaders(identity, headers, xfcc, trimmed, cert, chain);
    }

    /**
     * As {@link #set(HttpHeaders, PeerIdentity, Function)}, from the client's headers rendered by
     * {@link #forPeer(PeerIdentity)} of this writer.
     *
     * @return as {@link #set(HttpHeaders, PeerIdentity)}
     */
    public boolean set(HttpHeaders headers, PeerHeaders peer, Function<String, Optional<String>> claims) {
        if (peer.identity() == null) {
            if (forwardsClientXfcc) {
                headers.remove(X_FORWARDED_CLIENT_CERT);
            }
            return false;
        }
        for (PeerHeaders.Templated header : peer.templated()) {
            String value = header.perRequest() == null ? header.value()
                    : IdentityTemplateRenderer.render(header.perRequest().template(), peer.identity(), claims);
            if (!value.isEmpty()) {
                headers.set(header.name(), value);
            }
        }
        if (peer.xfccElement() != null) {
            headers.set(X_FORWARDED_CLIENT_CERT, xfccMode == XfccMode.SANITIZE_SET ? peer.xfccElement()
                    : appended(headers, peer.xfccElement()));
        }
        if (peer.clientCert() != null) {
            headers.set(CLIENT_CERT, peer.clientCert());
            if (!peer.clientCertChain().isEmpty()) {
                headers.set(CLIENT_CERT_CHAIN, peer.clientCertChain());
            }
        }
        return peer.xfccTrimmed();
    }

    /** The xfcc mode this writer applies. */
    public XfccMode xfccMode() {
        return xfccMode;
    }

    private static String appended(HttpHeaders headers, String element) {
        // Several XFCC field lines mean the same as one comma-joined line (RFC 9110 §5.3), which is
        // also XFCC's element separator, so joining keeps every element the proxies before us added.
        StringBuilder out = new StringBuilder();
        for (String existing : headers.getAll(X_FORWARDED_CLIENT_CERT)) {
            String trimmed = existing.strip();
            if (!trimmed.isEmpty()) {
                out.append(trimmed).append(',');
            }
        }
        return out.append(element).toString();
    }


    private static boolean isPrintableAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c >= 0x7F) {
                return false;
            }
        }
        return true;
    }
}
