package io.mtlsgateway.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A token issuer that routes can require (an entry of the top-level {@code jwt} mapping).
 *
 * @param name the key routes refer to
 * @param issuer the exact {@code iss} a token must carry
 * @param audiences a token must name at least one of these in {@code aud}
 * @param algorithms the JWS algorithms accepted, from {@link #SUPPORTED_ALGORITHMS}
 * @param clockSkew how far {@code exp}, {@code nbf} and {@code iat} may be off
 * @param claimHeaders header name to claim name, set from the verified token (client copies stripped)
 * @param typ the {@code typ} header a token must carry, when set (compared as RFC 7515 says:
 *     case-insensitively, {@code application/} optional)
 * @param maxTokenSize the longest token, in bytes, that is parsed at all
 * @param forwardToken whether the upstream receives the {@code Authorization} header
 */
public record JwtIssuerConfig(
        String name,
        String issuer,
        List<String> audiences,
        JwksSource jwks,
        List<String> algorithms,
        Duration clockSkew,
        CertificateBinding certificateBound,
        Map<String, String> claimHeaders,
        Optional<String> typ,
        int maxTokenSize,
        boolean forwardToken) {

    /** Every JWS algorithm the gateway verifies: public-key signatures only (never HMAC or none). */
    public static final List<String> SUPPORTED_ALGORITHMS = List.of(
            "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA");
    /** The algorithms accepted when the file does not list any. */
    public static final List<String> DEFAULT_ALGORITHMS = List.of("ES256", "RS256", "PS256", "EdDSA");
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_TOKEN_SIZE = 8 * 1024;
    /** Bounds of {@code maxTokenSize}: room for a small signed token, and no more than a header can carry. */
    public static final int MIN_MAX_TOKEN_SIZE = 256;
    public static final int MAX_MAX_TOKEN_SIZE = 64 * 1024;

    public JwtIssuerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(issuer, "issuer");
        audiences = List.copyOf(audiences);
        if (audiences.isEmpty()) {
            throw new IllegalArgumentException("audiences: empty (expected: at least one audience)");
        }
        Objects.requireNonNull(jwks, "jwks");
        algorithms = List.copyOf(algorithms);
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("algorithms: empty (expected: at least one algorithm)");
        }
        for (String algorithm : algorithms) {
            if (!SUPPORTED_ALGORITHMS.contains(algorithm)) {
                throw new IllegalArgumentException("algorithms: " + algorithm + " (expected one of: "
                        + String.join(", ", SUPPORTED_ALGORITHMS) + ")");
            }
        }
        Objects.requireNonNull(clockSkew, "clockSkew");
        if (clockSkew.isNegative()) {
            throw new IllegalArgumentException("clockSkew: " + clockSkew + " (expected: >= 0)");
        }
        Objects.requireNonNull(certificateBound, "certificateBound");
        claimHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(claimHeaders));
        Objects.requireNonNull(typ, "typ");
        if (maxTokenSize < MIN_MAX_TOKEN_SIZE || maxTokenSize > MAX_MAX_TOKEN_SIZE) {
            throw new IllegalArgumentException("maxTokenSize: " + maxTokenSize + " (expected: "
                    + MIN_MAX_TOKEN_SIZE + ".." + MAX_MAX_TOKEN_SIZE + ")");
        }
    }
}
