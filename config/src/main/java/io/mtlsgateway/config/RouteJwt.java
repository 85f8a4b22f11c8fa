package io.mtlsgateway.config;

import java.util.Objects;

/**
 * A route's token requirement.
 *
 * @param issuer the name of an entry of the top-level {@code jwt} mapping
 * @param required whether a request without a token is refused; a token that is present is
 *     always validated
 */
public record RouteJwt(String issuer, boolean required) {
    public RouteJwt {
        Objects.requireNonNull(issuer, "issuer");
    }
}
