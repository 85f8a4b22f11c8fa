package io.mtlsgateway.gateway.jwt;

import com.nimbusds.jose.Header;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.mtlsgateway.config.JwtIssuerConfig;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Validates bearer tokens for one issuer: a pure function of the token, the connection's
 * client-certificate digest, the time and the issuer's current keys. Safe to share between threads.
 *
 * <p>Only JWS compact tokens are read; an encrypted token (five parts) is refused without being
 * decrypted. The algorithm must be on the issuer's allow-list (which never holds {@code none} or
 * HMAC), and the key comes from the issuer's key set only: the token's {@code jwk}, {@code jku},
 * {@code x5u} and {@code x5c} headers are never looked at.
 */
public final class TokenValidator {
    /** At most this many keys are tried for a token without {@code kid}. */
    static final int MAX_KEYS_TRIED = 8;

    private final JwtIssuerConfig config;
    private final KeySource keys;
    private final Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
    private final Optional<String> typ;
    private final Set<String> forwardedClaims;

    /**
     * @param forwardedClaims the claims rendered as header text into every accepted token (claim
     *     headers and identity-header templates); a token whose value for one cannot be a header is refused
     */
    public TokenValidator(JwtIssuerConfig config, KeySource keys, Set<String> forwardedClaims) {
        this.config = config;
        this.keys = keys;
        config.algorithms().forEach(name -> algorithms.add(JWSAlgorithm.parse(name)));
        this.typ = config.typ().map(TokenValidator::mediaType);
        Set<String> claims = new LinkedHashSet<>(config.claimHeaders().values());
        claims.addAll(forwardedClaims);
        this.forwardedClaims = Set.copyOf(claims);
    }

    public JwtIssuerConfig config() {
        return config;
    }

    public KeySource keys() {
        return keys;
    }

    /**
     * Like {@link #validate}, but a token signed with a key id the key set lacks makes the source
     * fetch again (rate-limited) and is judged once more with what it then has: an issuer that
     * rotated keys is followed without waiting for the next scheduled refresh.
     */
    public CompletableFuture<TokenVerdict> validateFollowingRotation(
            String token, Optional<byte[]> leafSha256, Supplier<Instant> clock) {
        TokenVerdict first = validate(token, leafSha256, clock.get());
        if (!(first instanceof TokenVerdict.Refused refused) || refused.reason() != JwtRejection.UNKNOWN_KEY) {
            return CompletableFuture.completedFuture(first);
        }
        return keys.refreshForUnknownKey().handle((done, error) -> validate(token, leafSha256, clock.get()));
    }

    /** Judges one token. */
    public TokenVerdict validate(String token, Optional<byte[]> leafSha256, Instant now) {
        if (token.length() > config.maxTokenSize()) {
            return TokenVerdict.Refused.of(JwtRejection.MALFORMED, "token of " + token.length()
                    + " bytes, more than maxTokenSize " + config.maxTokenSize());
        }
        int dots = (int) token.chars().filter(c -> c == '.').count();
        if (dots == 4) {
            return TokenVerdict.Refused.of(JwtRejection.MALFORMED,
                    "an encrypted token (JWE); only signed tokens (JWS) are accepted, and it was not decrypted");
        }
        if (dots != 2) {
            return TokenVerdict.Refused.of(JwtRejection.MALFORMED, "not a compact JWS (expected: three parts)");
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            return TokenVerdict.Refused.of(JwtRejection.MALFORMED, unsigned(token)
                    ? "alg none: an unsigned token is never accepted" : "unreadable JWS header or encoding");
        }
        JWSHeader header = jwt.getHeader();
        Optional<TokenVerdict.Refused> headerProblem = checkHeader(header);
        if (headerProblem.isPresent()) {
            return headerProblem.get();
        }
        Optional<KeySet> current = keys.keys();
        if (current.isEmpty()) {
            return TokenVerdict.Refused.of(JwtRejection.JWKS_UNAVAILABLE,
                    "no key set for issuer '" + config.name() + "' (never loaded, or stale past maxStale)");
        }
        Optional<String> keyId = Optional.ofNullable(header.getKeyID());
        List<JWK> candidates = current.get().candidates(keyId, header.getAlgorithm());
        if (candidates.isEmpty()) {
            if (keyId.isPresent()) {
                boolean known = current.get().hasKeyId(keyId.get());
                return new TokenVerdict.Refused(known ? JwtRejection.BAD_SIGNATURE : JwtRejection.UNKNOWN_KEY,
                        known ? "key '" + KeySet.printable(keyId.get()) + "' cannot sign " + header.getAlgorithm()
                                : "no key '" + KeySet.printable(keyId.get()) + "' in the key set",
                        Optional.empty(), Optional.empty(), known ? Optional.empty() : keyId);
            }
            return TokenVerdict.Refused.of(JwtRejection.UNKNOWN_KEY, "no kid, and no key in the set for "
                    + header.getAlgorithm());
        }
        if (!verifiedByAny(jwt, candidates)) {
            return TokenVerdict.Refused.of(JwtRejection.BAD_SIGNATURE, "the signature does not verify with key "
                    + keyId.map(k -> "'" + KeySet.printable(k) + "'").orElse("set (no kid)"));
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return TokenVerdict.Refused.of(JwtRejection.MALFORMED, "signed, but the claims are not a valid JWT"
                    + " claim set");
        }
        return checkClaims(claims, leafSha256, now);
    }

    private Optional<TokenVerdict.Refused> checkHeader(JWSHeader header) {
        JWSAlgorithm alg = header.getAlgorithm();
        if (!algorithms.contains(alg)) {
            return Optional.of(TokenVerdict.Refused.of(JwtRejection.BAD_SIGNATURE, "alg " + KeySet.printable(
                    alg.getName()) + " is not allowed for issuer '" + config.name() + "' (allowed: "
                    + String.join(", ", config.algorithms()) + ")"));
        }
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            return Optional.of(TokenVerdict.Refused.of(JwtRejection.MALFORMED,
                    "crit header parameters the gateway does not understand"));
        }
        if (!header.isBase64URLEncodePayload()) {
            return Optional.of(TokenVerdict.Refused.of(JwtRejection.MALFORMED, "unencoded payload (b64: false)"));
        }
        if (typ.isPresent()) {
            JOSEObjectType tokenType = header.getType();
            if (tokenType == null || !mediaType(tokenType.getType()).equals(typ.get())) {
                return Optional.of(TokenVerdict.Refused.of(JwtRejection.MALFORMED, "typ "
                        + (tokenType == null ? "absent" : "'" + KeySet.printable(tokenType.getType()) + "'")
                        + " (expected: " + config.typ().get() + ")"));
            }
        }
        return Optional.empty();
    }

    private static boolean verifiedByAny(SignedJWT jwt, List<JWK> candidates) {
        int tried = 0;
        for (JWK key : candidates) {
            if (tried++ == MAX_KEYS_TRIED) {
                return false;
            }
            if (SignatureCheck.verifies(jwt, key)) {
                return true;
            }
        }
        return false;
    }

    private TokenVerdict checkClaims(JWTClaimsSet claims, Optional<byte[]> leafSha256, Instant now) {
        Optional<String> subject = Optional.ofNullable(claims.getSubject());
        Optional<String> id = Optional.ofNullable(claims.getJWTID());
        Duration skew = config.clockSkew();
        if (!config.issuer().equals(claims.getIssuer())) {
            return refused(JwtRejection.WRONG_ISSUER, claims.getIssuer() == null ? "no iss claim"
                    : "iss '" + KeySet.printable(claims.getIssuer()) + "' (expected: " + config.issuer() + ")",
                    subject, id);
        }
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            return refused(JwtRejection.MALFORMED, "no exp claim (a token must expire)", subject, id);
        }
        if (now.isAfter(exp.toInstant().plus(skew))) {
            return refused(JwtRejection.EXPIRED, "expired at " + exp.toInstant(), subject, id);
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.isBefore(nbf.toInstant().minus(skew))) {
            return refused(JwtRejection.NOT_YET_VALID, "not before " + nbf.toInstant(), subject, id);
        }
        Date iat = claims.getIssueTime();
        if (iat != null && now.isBefore(iat.toInstant().minus(skew))) {
            return refused(JwtRejection.NOT_YET_VALID, "issued in the future, at " + iat.toInstant(), subject, id);
        }
        List<String> audiences = claims.getAudience();
        if (audiences.stream().noneMatch(config.audiences()::contains)) {
            return refused(JwtRejection.WRONG_AUDIENCE, audiences.isEmpty() ? "no aud claim"
                    : "aud " + audiences.stream().limit(4).map(KeySet::printable).toList() + " (expected one of: "
                    + String.join(", ", config.audiences()) + ")", subject, id);
        }
        Optional<CertificateBindingCheck.Failure> binding = CertificateBindingCheck.check(
                config.certificateBound(), claims.getClaim(CertificateBindingCheck.CONFIRMATION), leafSha256);
        if (binding.isPresent()) {
            return refused(binding.get().reason(), binding.get().detail(), subject, id);
        }
        Map<String, String> texts = new HashMap<>();
        for (String claim : forwardedClaims) {
            try {
                ClaimText.render(claim, claims.getClaim(claim)).ifPresent(text -> texts.put(claim, text));
            } catch (ClaimText.UnsafeClaimException e) {
                return refused(JwtRejection.MALFORMED, e.getMessage(), subject, id);
            }
        }
        return new TokenVerdict.Accepted(new VerifiedToken(subject, id, exp.toInstant(), claims.getClaims(), texts));
    }

    private static TokenVerdict.Refused refused(
            JwtRejection reason, String detail, Optional<String> subject, Optional<String> id) {
        return new TokenVerdict.Refused(reason, detail, subject, id, Optional.empty());
    }

    private static boolean unsigned(String token) {
        try {
            return Header.parse(new Base64URL(token.substring(0, token.indexOf('.')))) instanceof PlainHeader;
        } catch (ParseException e) {
            return false;
        }
    }

    /** RFC 7515 section 4.1.9: media types compare case-insensitively, "application/" may be left out. */
    private static String mediaType(String type) {
        String lower = type.toLowerCase(Locale.ROOT);
        return lower.startsWith("application/") ? lower.substring("application/".length()) : lower;
    }
}
