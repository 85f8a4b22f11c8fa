package io.mtlsgateway.gateway.jwt;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A token whose signature, issuer, audience, lifetime and binding were checked.
 *
 * @param subject {@code sub}, if the token has one as a string
 * @param id {@code jti}, if the token has one as a string
 * @param expiresAt {@code exp}
 * @param claims every claim as parsed JSON (strings, numbers, booleans, lists, maps), for claim rules
 * @param texts the claims the gateway forwards (claim headers, templates), already rendered as
 *     header text: arrays comma-joined, only visible ASCII and inner spaces; absent claims left out
 */
public record VerifiedToken(
        Optional<String> subject, Optional<String> id, Instant expiresAt, Map<String, Object> claims,
        Map<String, String> texts) {

    public VerifiedToken {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(expiresAt, "expiresAt");
        claims = Collections.unmodifiableMap(new LinkedHashMap<>(claims));
        texts = Map.copyOf(texts);
    }

    /** The claim as header text, when it is one the gateway was told to forward and the token has it. */
    public Optional<String> text(String claim) {
        return Optional.ofNullable(texts.get(claim));
    }
}
