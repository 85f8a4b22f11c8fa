package io.mtlsgateway.gateway.identity;

import io.mtlsgateway.config.IdentityTemplate;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Fills an identity-header template from a {@link PeerIdentity}. The result is always a legal,
 * printable-ASCII header value (see {@link HeaderValueEncoding}); it may be empty, in which case
 * the header writer sends no header at all.
 *
 * <p>Variables (DESIGN.md, "Template variables"):
 * <ul>
 *   <li>{@code subject}, {@code issuer}: as OpenSSL prints them ({@code -nameopt RFC2253}, see {@link DnFormat})
 *   <li>{@code serial}: lowercase hex; {@code fingerprint}: SHA-256 of the leaf DER, lowercase hex
 *   <li>{@code spiffe}: the SPIFFE ID, or empty when there is none
 *   <li>{@code sanDns}, {@code sanUri}, {@code sanEmail}: comma-joined, certificate order, each
 *       value percent-encoded where unsafe
 *   <li>{@code notBefore}, {@code notAfter}: RFC 3339, UTC, whole seconds
 *   <li>{@code cert}: the leaf PEM, URL-encoded (Envoy's XFCC {@code Cert}, nginx's
 *       {@code $ssl_client_escaped_cert})
 *   <li>{@code jwt.CLAIM}: the claim of the request's verified token, as the validator rendered
 *       it (already header-safe); empty without a token or without that claim
 * </ul>
 */
public final class IdentityTemplateRenderer {
    private IdentityTemplateRenderer() {}

    /**
     * Renders the template. Literal parts are copied as they are; the caller is responsible for
     * their being legal header text (the writer checks this once, when it is built).
     *
     * @throws IllegalArgumentException for a variable this version does not know
     */
    public static String render(IdentityTemplate template, PeerIdentity identity) {
        return render(template, identity, NO_CLAIMS);
    }

    /** No token on this request: every {@code jwt.} variable renders empty. */
    public static final Function<String, Optional<String>> NO_CLAIMS = claim -> Optional.empty();

    /**
     * Renders the template, {@code jwt.} variables from {@code claims} (claim name to header-safe
     * text, empty when the token lacks it).
     */
    public static String render(IdentityTemplate template, PeerIdentity identity,
            Function<String, Optional<String>> claims) {
        List<IdentityTemplate.Part> parts = template.parts();
        if (parts.size() == 1) {
            // The usual template is a single variable; skip the builder.
            return value(parts.get(0), identity, claims);
        }
        StringBuilder out = new StringBuilder(64);
        for (IdentityTemplate.Part part : parts) {
            out.append(value(part, identity, claims));
        }
        return out.toString();
    }

    private static String value(IdentityTemplate.Part part, PeerIdentity identity,
            Function<String, Optional<String>> claims) {
        if (part instanceof IdentityTemplate.Literal literal) {
            return literal.text();
        }
        IdentityTemplate.Variable variable = (IdentityTemplate.Variable) part;
        Optional<String> claim = variable.claim();
        if (claim.isPresent()) {
            return claims.apply(claim.get()).orElse("");
        }
        String name = variable.name();
        return switch (name) {
            case "subject" -> HeaderValueEncoding.distinguishedName(identity.subject());
            case "issuer" -> HeaderValueEncoding.distinguishedName(identity.issuer());
            case "serial" -> identity.serial();
            case "fingerprint" -> identity.fingerprint();
            case "spiffe" -> identity.spiffe().map(HeaderValueEncoding::text).orElse("");
            case "sanDns" -> joined(identity.sanDns());
            case "sanUri" -> joined(identity.sanUri());
            case "sanEmail" -> joined(identity.sanEmail());
            case "notBefore" -> HeaderValueEncoding.rfc3339(identity.notBefore());
            case "notAfter" -> HeaderValueEncoding.rfc3339(identity.notAfter());
            case "cert" -> HeaderValueEncoding.urlEncodedPem(identity.leafPem());
            // IdentityTemplate.parse rejects unknown names, so this means the two have drifted apart.
            default -> throw new IllegalArgumentException("unknown template variable '${" + name + "}'");
        };
    }

    private static String joined(List<String> values) {
        if (values.isEmpty()) {
            return "";
        }
        if (values.size() == 1) {
            return HeaderValueEncoding.text(values.get(0));
        }
        StringBuilder out = new StringBuilder();
        for (String value : values) {
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(HeaderValueEncoding.text(value));
        }
        return out.toString();
    }
}
