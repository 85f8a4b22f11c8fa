package io.mtlsgateway.gateway.jwt;

import io.mtlsgateway.config.JwtIssuerConfig;
import io.mtlsgateway.config.RouteJwt;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What one route asks of a request's token, judged from the head alone: the issuer's validator,
 * whether a token is required, and the route's claim rules. Safe to share between event loops.
 */
public final class RouteTokenPolicy {
    private final TokenValidator validator;
    private final boolean required;
    private final ClaimPolicy claims;
    private final Clock clock;

    public RouteTokenPolicy(TokenValidator validator, RouteJwt route, ClaimPolicy claims, Clock clock) {
        this.validator = Objects.requireNonNull(validator, "validator");
        this.required = route.required();
        this.claims = Objects.requireNonNull(claims, "claims");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The judgement on one request. */
    public sealed interface Judgement permits Allowed, Denied, AwaitKeys {}

    /**
     * The request may go on.
     *
     * @param token the verified token; empty when the route does not require one and none was sent
     */
    public record Allowed(Optional<VerifiedToken> token) implements Judgement {}

    public record Denied(TokenRefusal refusal) implements Judgement {}

    /**
     * The token names a key the issuer's set lacks and a fetch of the set is under way: judge the
     * request again when {@code keys} completes; if the key is still unknown then, {@code otherwise}.
     */
    public record AwaitKeys(CompletableFuture<Void> keys, Denied otherwise) implements Judgement {}

    /**
     * The last moment a request with {@code token} is accepted: its {@code exp} with the issuer's
     * clock skew. A tunnel the token let open ends then, as a new request with it would be refused.
     */
    public Instant acceptedUntil(VerifiedToken token) {
        return token.expiresAt().plus(validator.config().clockSkew());
    }

    public JwtIssuerConfig issuer() {
        return validator.config();
    }

    /** The headers set from the token, header name to claim name. */
    public Map<String, String> claimHeaders() {
        return validator.config().claimHeaders();
    }

    /** Whether the upstream receives the client's Authorization header. */
    public boolean forwardToken() {
        return validator.config().forwardToken();
    }

    /**
     * @param authorization the request's Authorization field values
     * @param target the request target (a token in its query is refused)
     * @param leafFingerprint the SHA-256 hex of the connection's client certificate, or null
     */
    public Judgement judge(List<String> authorization, String target, String leafFingerprint) {
        BearerToken.Found found = BearerToken.find(authorization, target);
        if (found instanceof BearerToken.Refused refused) {
            return denied(JwtRejection.MALFORMED, refused.detail(), Optional.empty(), Optional.empty());
        }
        Optional<String> token = BearerToken.value(found);
        if (token.isEmpty()) {
            return required ? denied(JwtRejection.MISSING, "no bearer token", Optional.empty(), Optional.empty())
                    : new Allowed(Optional.empty());
        }
        Optional<byte[]> leaf = Optional.ofNullable(leafFingerprint).map(HexFormat.of()::parseHex);
        TokenVerdict verdict = validator.validate(token.get(), leaf, clock.instant());
        if (verdict instanceof TokenVerdict.Refused refused
                && refused.reason() == JwtRejection.UNKNOWN_KEY && refused.keyId().isPresent()) {
            // The issuer may have rotated: look again (rate-limited, so forged kids cost one fetch).
            CompletableFuture<Void> fetched = validator.keys().refreshForUnknownKey();
            if (!fetched.isDone()) {
                return new AwaitKeys(fetched, denied(refused));
            }
            // The fetch may already have ended (a fast IdP, or this thread was descheduled meanwhile):
            // judge with the keys it brought rather than refuse on the ones from before it.
            verdict = validator.validate(token.get(), leaf, clock.instant());
        }
        if (verdict instanceof TokenVerdict.Refused refused) {
            return denied(refused);
        }
        VerifiedToken verified = ((TokenVerdict.Accepted) verdict).token();
        if (!claims.allows(verified)) {
            return denied(JwtRejection.CLAIMS_DENIED, "no allowClaims entry holds", verified.subject(), verified.id());
        }
        return new Allowed(Optional.of(verified));
    }

    private Denied denied(TokenVerdict.Refused refused) {
        return denied(refused.reason(), refused.detail(), refused.subject(), refused.id());
    }

    private Denied denied(JwtRejection reason, String detail, Optional<String> subject, Optional<String> id) {
        return new Denied(new TokenRefusal(reason, validator.config().name(), detail, subject, id));
    }
}
